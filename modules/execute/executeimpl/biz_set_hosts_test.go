package executeimpl_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

// testBizSetMemberHosts: a business set's hosts are the union of its
// members' (biz_set_member, schema 0140). The scope here is business 1's id
// made a set over business 2: business 2's host runs, business 3's host,
// outside the set, is invalid and never sent to the transport.
func testBizSetMemberHosts(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	require.NoError(t, env.DB.Exec(`UPDATE host SET biz_id = 2 WHERE id = 1`).Error)
	require.NoError(t, env.DB.Exec(`UPDATE host SET biz_id = 3 WHERE id = 2`).Error)
	require.NoError(t, env.DB.Exec(`INSERT INTO biz_set_member (set_id, biz_id) VALUES (1, 2)`).Error)
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	byHost := map[string]int{}
	for _, r := range st.StepInstanceList[0].StepIPResultList {
		byHost[fmt.Sprintf("%d", r.HostID)] = r.Status
	}
	require.Equal(t, map[string]int{"1": gse.HostStatusSuccess, "2": gse.HostStatusInvalid}, byHost)
	require.Len(t, env.Transport.Starts(), 1)
	require.Equal(t, []int64{1}, env.Transport.Starts()[0].Hosts, "only the member's host is sent anything")
}
