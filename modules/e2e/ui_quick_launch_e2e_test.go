package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestUIQuickLaunch drives the three quick-launch pages in headless
// Chromium (frontend/e2e/quick_launch.mjs) against the built binary and its
// built-in agent: a script typed in the CodeMirror editor runs, the rolling
// preview shows the batches as the expression is typed (and its error at
// the field), a file goes from the agent's host to itself, a config file is
// pushed and lands on disk; each page in light and dark. The source file and
// the target directories are temp dirs made here.
func TestUIQuickLaunch(t *testing.T) {
	uiPrerequisites(t)
	s := StartServer(t, ServerOptions{Env: []string{
		"BKJOB_ADMIN_PASSWORD=ui-e2e-pass",
		"BKJOB_GSE__LOCAL_AGENT__ENABLED=true",
		"BKJOB_GSE__LOCAL_AGENT__IP=" + uiTargetIP,
	}})
	require.Eventually(t, func() bool { return strings.Contains(s.Output.String(), `msg="agent connected"`) },
		60*time.Second, 100*time.Millisecond, "the built-in agent never connected")

	source := filepath.Join(t.TempDir(), "release-notes.txt")
	require.NoError(t, os.WriteFile(source, []byte("sent from the quick launch page\n"), 0o644))
	fileDir := filepath.Join(t.TempDir(), "incoming")
	configDir := filepath.Join(t.TempDir(), "etc")
	runBrowserScript(t, s, "quick_launch.mjs", "BKJOB_PASSWORD=ui-e2e-pass", "BKJOB_TARGET_IP="+uiTargetIP,
		"BKJOB_SOURCE_FILE="+source, "BKJOB_FILE_DIR="+fileDir, "BKJOB_CONFIG_DIR="+configDir)

	// What the browser saw succeed is on disk.
	got, err := os.ReadFile(filepath.Join(fileDir, "release-notes.txt"))
	require.NoError(t, err)
	require.Equal(t, "sent from the quick launch page\n", string(got))
	got, err = os.ReadFile(filepath.Join(configDir, "app.conf"))
	require.NoError(t, err)
	require.Equal(t, "# pushed from the UI\nlisten = 0.0.0.0:8080\n", string(got))
}
