package manageimpl

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/api/apitest"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/config"
)

// TestDeclaredMethods: every declared manage method answers the same in
// process and through the bus client, so none is declared but not served.
func TestDeclaredMethods(t *testing.T) {
	impl := newService(t)
	b, err := bus.Open(context.Background(), config.Bus{Backend: "memory", CallTimeout: 5e9, Prefetch: 4, ExchangePrefix: "t"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	require.NoError(t, manage.Serve(b, impl))
	biz1 := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1, Resolved: true}
	apitest.Contract(t, manage.Declarations(), impl, manage.NewClient(b),
		apitest.Call{Method: "ResolveScope", Args: []any{"biz", "1"}},
		apitest.Call{Method: "ResolveScope", Args: []any{"biz", "999"}},
		apitest.Call{Method: "Account", Args: []any{int64(1), manage.AccountRef{Alias: "root"}}},
		apitest.Call{Method: "GetCredential", Args: []any{manage.GetCredentialRequest{ScopeRef: biz1, ID: "0123456789abcdef0123456789abcdef"}}},
		apitest.Call{Method: "ListAgents", Args: []any{manage.ListAgentsRequest{ScopeRef: biz1}}},
		apitest.Call{Method: "ListAgentlessHosts", Args: []any{manage.ListAgentlessHostsRequest{ScopeRef: biz1}}},
		apitest.Call{Method: "ListCredentials", Args: []any{manage.ListCredentialsRequest{ScopeRef: biz1, Name: "x"}}},
		apitest.Call{Method: "DeleteCredential", Args: []any{manage.DeleteCredentialRequest{ScopeRef: biz1, ID: "0123456789abcdef0123456789abcdef"}}},
		apitest.Call{Method: "CheckAgentlessHost", Args: []any{manage.CheckAgentlessHostRequest{ScopeRef: biz1, IP: "10.0.0.1", CredentialID: "0123456789abcdef0123456789abcdef"}}},
		apitest.Call{Method: "ListAgents", Args: []any{manage.ListAgentsRequest{ScopeRef: biz1, Keyword: "10."}}},
		apitest.Call{Method: "ListBizHosts", Args: []any{manage.ListBizHostsRequest{ScopeRef: biz1, Keyword: "0:127."}}},
		apitest.Call{Method: "CheckHosts", Args: []any{manage.CheckHostsRequest{ScopeRef: biz1, HostIDList: []int64{1}, IPList: []manage.HostIP{{IP: "10.0.0.1"}}}}},
		apitest.Call{Method: "CheckHosts", Args: []any{manage.CheckHostsRequest{ScopeRef: biz1, IPList: []manage.HostIP{{IP: "bad"}}}}},
		apitest.Call{Method: "GetAccountList", Args: []any{manage.GetAccountListRequest{ScopeRef: biz1, Category: 1}}},
		apitest.Call{Method: "CreateAccount", Args: []any{manage.CreateAccountRequest{ScopeRef: biz1, Account: "root", Type: 1, Category: 1}}},
		apitest.Call{Method: "UpdateAccount", Args: []any{manage.UpdateAccountRequest{ScopeRef: biz1, ID: 999}}},
		apitest.Call{Method: "DeleteAccount", Args: []any{manage.DeleteAccountRequest{ScopeRef: biz1, ID: 1}}},
		apitest.Call{Method: "CheckScript", Args: []any{manage.CheckScriptRequest{ScopeRef: biz1, ScriptLanguage: 1, Content: "cm0gLXJmIC8="}}},
		apitest.Call{Method: "GetDangerousRuleList", Args: []any{manage.GetDangerousRuleListRequest{Action: 2}}},
		apitest.Call{Method: "ListDangerousRecords", Args: []any{manage.ListDangerousRecordsRequest{Action: 3}}},
		apitest.Call{Method: "CheckScriptRun", Args: []any{manage.ScriptRunCheck{BizID: 1, ScriptLanguage: 1, Content: "echo"}}},
	)
}
