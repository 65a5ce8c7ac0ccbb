package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestUIDanger drives frontend/e2e/danger.mjs in headless Chromium against
// the built binary and its built-in agent: an intercept rule added on the
// rules page, a script checked in quick launch showing the hit, its run
// refused with the server's message, the interception on the detect
// records page; light and dark screenshots. Afterwards the API confirms
// what the browser saw: the rule is enabled and no job was created.
func TestUIDanger(t *testing.T) {
	uiPrerequisites(t)
	s := StartServer(t, ServerOptions{Env: []string{
		"BKJOB_ADMIN_PASSWORD=ui-e2e-pass",
		"BKJOB_GSE__LOCAL_AGENT__ENABLED=true",
		"BKJOB_GSE__LOCAL_AGENT__IP=" + uiTargetIP,
	}})
	require.Eventually(t, func() bool { return strings.Contains(s.Output.String(), `msg="agent connected"`) },
		60*time.Second, 100*time.Millisecond, "the built-in agent never connected")
	runBrowserScript(t, s, "danger.mjs", "BKJOB_PASSWORD=ui-e2e-pass", "BKJOB_TARGET_IP="+uiTargetIP)

	admin := webSession(t, s.URL, "admin", "ui-e2e-pass")
	_, body := admin.do(t, "POST", "/api/web/get_dangerous_rule_list", map[string]any{})
	var rules []struct {
		Description string `json:"description"`
		Action      int    `json:"action"`
		Status      int    `json:"status"`
	}
	require.NoError(t, json.Unmarshal(body, &rules), string(body))
	require.Len(t, rules, 2)
	require.Equal(t, "Pipe a download into a shell", rules[0].Description, "moved back to the top")
	require.Equal(t, 2, rules[0].Action)
	require.Equal(t, 1, rules[0].Status)
	now := time.Now().UnixMilli()
	_, body = admin.do(t, "POST", "/api/web/get_job_instance_list", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1",
		"create_time_start": now - 3600_000, "create_time_end": now + 3600_000})
	require.Contains(t, string(body), `"total":0`, "the refused script created no job")
}
