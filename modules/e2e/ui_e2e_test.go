package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// uiTargetIP is the built-in agent's address in the UI tests.
const uiTargetIP = "127.0.0.71"

// TestUIFlow drives the embedded UI in headless Chromium (playwright-core,
// frontend/e2e/ui_flow.mjs) against the built binary and its built-in
// agent: log in, run a script from Quick launch, read its log on the task
// page while it runs, the history, a failed host retried after its cause
// is fixed, the dark theme, Chinese (an API error included), log out. Screenshots go to BKJOB_UI_SCREENSHOTS when set (docs/screenshots to
// refresh the README's pictures), else to a temp dir. It needs the binary
// built with the UI (`go tool task ui` first), Node with the frontend's
// packages, and Chromium; in CI all are required.
func TestUIFlow(t *testing.T) {
	uiPrerequisites(t)
	s := StartServer(t, ServerOptions{Env: []string{
		"BKJOB_ADMIN_PASSWORD=ui-e2e-pass",
		"BKJOB_GSE__LOCAL_AGENT__ENABLED=true",
		"BKJOB_GSE__LOCAL_AGENT__IP=" + uiTargetIP,
	}})
	require.Eventually(t, func() bool { return strings.Contains(s.Output.String(), `msg="agent connected"`) },
		60*time.Second, 100*time.Millisecond, "the built-in agent never connected")

	marker := filepath.Join(t.TempDir(), "marker")
	runBrowserScript(t, s, "ui_flow.mjs", "BKJOB_PASSWORD=ui-e2e-pass", "BKJOB_TARGET_IP="+uiTargetIP, "BKJOB_MARKER="+marker)
}

// runBrowserScript runs one scenario of frontend/e2e (built on harness.mjs)
// in headless Chromium against s, logged in as admin with the password in
// extraEnv. Screenshots go to BKJOB_UI_SCREENSHOTS when set (docs/screenshots
// to refresh the README's pictures), else to a temp dir.
func runBrowserScript(t *testing.T, s *Server, script string, extraEnv ...string) {
	t.Helper()
	node, chromium := uiPrerequisites(t)
	shots := os.Getenv("BKJOB_UI_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	shots, err := filepath.Abs(shots)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "e2e/"+script)
	cmd.Dir = "../../frontend"
	cmd.Env = append(os.Environ(),
		"BKJOB_URL="+s.URL, "BKJOB_USER=admin",
		"BKJOB_SCREENSHOTS="+shots, "BKJOB_USER_DATA_DIR="+t.TempDir(), "CHROMIUM="+chromium,
	)
	cmd.Env = append(cmd.Env, extraEnv...)
	out, err := cmd.CombinedOutput()
	t.Logf("browser scenario %s (screenshots in %s):\n%s", script, shots, out)
	require.NoError(t, err, "the browser scenario %s failed", script)
	require.Contains(t, string(out), "PASS")
}

// uiPrerequisites finds node and chromium and checks the UI is embedded and
// playwright-core installed; it skips (fails in CI) when one is missing.
func uiPrerequisites(t *testing.T) (node, chromium string) {
	t.Helper()
	if !builtWithUI {
		requireInCI(t, "frontend/dist is missing: run `go tool task ui` first")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		requireInCI(t, "chromium is not installed (go tool task services:up installs it)")
	}
	node, err = exec.LookPath("node")
	if err != nil {
		requireInCI(t, "node is not installed")
	}
	if _, err := os.Stat("../../frontend/node_modules/playwright-core/package.json"); err != nil {
		requireInCI(t, "playwright-core is not installed: run `go tool task ui:deps`")
	}
	return node, chromium
}

// requireInCI skips a test by hand but fails it when CI=true.
func requireInCI(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}
