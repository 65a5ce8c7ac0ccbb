package execute_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/platform/api/apitest"
)

// TestContract: every declared execute method answers the same in process
// and over the bus (which serialises), so none is declared but not served.
func TestContract(t *testing.T) {
	env := executetest.NewEnv(t)
	executetest.AddHosts(t, env.DB, 1, 3)
	require.NoError(t, execute.Serve(env.Bus, env.Engine))
	apitest.Contract(t, execute.Declarations(), env.Engine, execute.NewClient(env.PeerBus(t)),
		apitest.Call{Method: "GetJobInstanceList", Args: []any{execute.GetJobInstanceListRequest{
			ScopeRef:        execute.ScopeRef{ScopeType: "biz", ScopeID: "1"},
			CreateTimeStart: time.Now().Add(-time.Hour).UnixMilli(), CreateTimeEnd: time.Now().UnixMilli(),
		}}},
		apitest.Call{Method: "RollingPreview", Args: []any{execute.RollingPreviewRequest{
			ScopeRef: execute.ScopeRef{ScopeType: "biz", ScopeID: "1"}, Expression: "10%", TotalHosts: 20,
		}}},
		apitest.Call{Method: "GetJobInstanceStatus", Args: []any{execute.GetJobInstanceStatusRequest{JobRef: execute.JobRef{
			ScopeRef: execute.ScopeRef{ScopeType: "biz", ScopeID: "1"}, JobInstanceID: 424242,
		}}}},
	)
}
