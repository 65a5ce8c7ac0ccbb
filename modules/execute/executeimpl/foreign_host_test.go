package executeimpl_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

// testForeignHostNotRun: a caller of business 1 names a host that belongs
// to business 2, by host id and by IP. The host is a target nobody may
// reach from business 1: it is invalid, never sent to the transport, and
// the answer does not reveal its IP or agent.
func testForeignHostNotRun(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 3)
	require.NoError(t, env.DB.Exec(`UPDATE host SET biz_id = 2 WHERE id IN (2, 3)`).Error)
	req := scriptReq(hosts[0], hosts[1])
	req.TargetServer.IPList = []execute.IP{{CloudID: 0, IP: executetest.HostIP(3)}}
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	byHost := map[string]int{}
	for _, r := range st.StepInstanceList[0].StepIPResultList {
		byHost[fmt.Sprintf("%d/%s", r.HostID, r.IP)] = r.Status
	}
	require.Equal(t, map[string]int{
		"1/" + executetest.HostIP(1): gse.HostStatusSuccess,
		"2/":                         gse.HostStatusInvalid, // named by id: its IP stays unknown
		"0/" + executetest.HostIP(3): gse.HostStatusInvalid, // named by IP: only what the caller sent
	}, byHost)
	for _, g := range stepStatus(t, env, c, nil).StepResultGroupList {
		for _, h := range g.HostResultList {
			if h.HostID != hosts[0] {
				require.True(t, h.AgentID == nil || *h.AgentID == "", "no agent id of another business's host: %+v", h)
			}
		}
	}
	require.Len(t, env.Transport.Starts(), 1)
	require.Equal(t, []int64{1}, env.Transport.Starts()[0].Hosts, "only business 1's host is sent anything")
}
