package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestUIScripts drives frontend/e2e/scripts.mjs against the built binary
// and its built-in agent: a script created on the scripts page, a second
// version made from the first, the second published, the two compared,
// the published one run from its version (quick launch filled by
// reference) and its log seen on the task page; the list searched by
// content; the public scripts page; light and dark screenshots.
func TestUIScripts(t *testing.T) {
	uiPrerequisites(t)
	s := StartServer(t, ServerOptions{Env: []string{
		"BKJOB_ADMIN_PASSWORD=ui-e2e-pass",
		"BKJOB_GSE__LOCAL_AGENT__ENABLED=true",
		"BKJOB_GSE__LOCAL_AGENT__IP=" + uiTargetIP,
	}})
	requireEventuallyConnected(t, s)
	runBrowserScript(t, s, "scripts.mjs", "BKJOB_PASSWORD=ui-e2e-pass", "BKJOB_TARGET_IP="+uiTargetIP)
}

func requireEventuallyConnected(t *testing.T, s *Server) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(s.Output.String(), `msg="agent connected"`) {
		if time.Now().After(deadline) {
			t.Fatal("the built-in agent never connected")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
