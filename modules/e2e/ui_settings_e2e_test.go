package e2e

import "testing"

// TestUIGlobalSettings drives frontend/e2e/global_settings.mjs: the global
// settings page sets the platform's title, footer and help link (the shell
// shows them), an upload deny list that push config then meets, a naming
// rule tried live, and the template a new script starts from.
func TestUIGlobalSettings(t *testing.T) {
	uiPrerequisites(t)
	s := StartServer(t, ServerOptions{Env: []string{"BKJOB_ADMIN_PASSWORD=ui-e2e-pass"}})
	runBrowserScript(t, s, "global_settings.mjs", "BKJOB_PASSWORD=ui-e2e-pass")
}
