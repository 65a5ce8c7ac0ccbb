package e2e

import (
	"testing"
)

// TestUIBusiness drives frontend/e2e/business.mjs: an administrator
// creates a business and a business set on /business_manage, switches to
// the business and sees its time zone used for dates; a user who is no
// administrator is refused. Screenshots business-* in both themes.
func TestUIBusiness(t *testing.T) {
	uiPrerequisites(t)
	s := StartServer(t, ServerOptions{Env: []string{"BKJOB_ADMIN_PASSWORD=ui-e2e-pass", "TZ=UTC"}})
	insertPrincipals(t, s.DataDir)
	runBrowserScript(t, s, "business.mjs", "BKJOB_PASSWORD=ui-e2e-pass", "BKJOB_OTHER_USER=alice", "BKJOB_OTHER_PASSWORD=alice-pass")
}
