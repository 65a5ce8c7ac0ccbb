package e2e

import (
	"os/user"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestUIAccounts drives frontend/e2e/accounts.mjs: the accounts page
// (create a Linux and a MySQL account, filters, a refused delete with the
// server's reason, delete), the account chosen in quick launch and a
// script run as it on the built-in agent; screenshots light and dark.
func TestUIAccounts(t *testing.T) {
	uiPrerequisites(t)
	s := StartServer(t, ServerOptions{Env: []string{
		"BKJOB_ADMIN_PASSWORD=ui-e2e-pass",
		"BKJOB_GSE__LOCAL_AGENT__ENABLED=true",
		"BKJOB_GSE__LOCAL_AGENT__IP=" + uiTargetIP,
	}})
	require.Eventually(t, func() bool { return strings.Contains(s.Output.String(), `msg="agent connected"`) },
		60*time.Second, 100*time.Millisecond, "the built-in agent never connected")
	// The agent runs tasks as itself unless it is root: the account the
	// page creates is this user, so the script runs either way.
	self, err := user.Current()
	require.NoError(t, err)
	runBrowserScript(t, s, "accounts.mjs", "BKJOB_PASSWORD=ui-e2e-pass", "BKJOB_TARGET_IP="+uiTargetIP, "BKJOB_RUN_USER="+self.Username)
	require.NotContains(t, s.Output.String(), "ui-Db-Secret-42", "the password is in no log")
}
