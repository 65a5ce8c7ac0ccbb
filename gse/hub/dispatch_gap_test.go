package hub_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

// TestDispatchRecordsTheAgentThatAttachedInTheGap: a host has no agent
// when a task is dispatched to it; between the dispatch's record and its
// sends an agent enrols for the host. (Before the fix the task was sent to
// it with no record, and a restarted hub would have dropped it as junk.) The task goes to that agent only
// once a record names it, so a hub restarted later recognises the task in
// the agent's hello instead of dropping it as junk.
func TestDispatchRecordsTheAgentThatAttachedInTheGap(t *testing.T) {
	gdb := newSQLite(t)
	th, _ := startHubOn(t, gdb, tokOne)
	// A host of business 1 with no agent yet (as an import or a revoked
	// agent leaves it).
	now := time.Now().UTC()
	require.NoError(t, gdb.Exec(`INSERT INTO host (biz_id, cloud_id, ip, created_at, updated_at) VALUES (1, 0, '10.7.0.9', ?, ?)`, now, now).Error)
	var hostID int64
	require.NoError(t, gdb.Raw(`SELECT id FROM host WHERE ip = '10.7.0.9'`).Scan(&hostID).Error)
	host := gse.Host{ID: hostID, IP: "10.7.0.9"}

	fresh := th.agentOptions(t, "10.7.0.9")
	fresh.Token = secretOf(tokOne)
	var newID string
	th.hub.SetDispatchGap(func() {
		th.hub.SetDispatchGap(nil)
		runAgent(t, fresh)
		require.Eventually(t, func() bool {
			newID = th.hub.AgentOf(host.ID)
			return newID != ""
		}, wait, 10*time.Millisecond, "the new agent never attached")
	})
	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "gap", Hosts: []gse.Host{host},
		Language: gse.LangShell, Content: "echo gap"}))
	res := th.rec.WaitResult(t, "gap", host.ID, wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	require.Equal(t, "gap\n", th.rec.Output("gap", host.ID))
	var recorded string
	require.NoError(t, gdb.Raw(`SELECT agent_id FROM gse_hub_task WHERE task_id = ? AND host_id = ?`, "gap", host.ID).Scan(&recorded).Error)
	require.Equal(t, newID, recorded, "the record names the agent the task was sent to")
}
