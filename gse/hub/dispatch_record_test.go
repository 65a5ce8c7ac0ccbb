package hub_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

// TestDispatchFailsWithoutRecord: a task the hub cannot record is not
// sent. Sent unrecorded, a hub restart would class it as junk and have the
// agent drop it while it runs; refused, the engine fails the dispatch
// visibly instead.
func TestDispatchFailsWithoutRecord(t *testing.T) {
	tests := []struct {
		name   string
		taskID string
		breaks func(th *testHub) (mend func())
		want   string
	}{
		{"the task store cannot be written", "unrecorded", func(th *testHub) func() {
			require.NoError(t, th.db.Exec("ALTER TABLE gse_hub_task RENAME TO gse_hub_task_away").Error)
			return func() { require.NoError(t, th.db.Exec("ALTER TABLE gse_hub_task_away RENAME TO gse_hub_task").Error) }
		}, "cannot record the task now"},
		{"the task id does not fit the record", strings.Repeat("x", 192), func(*testHub) func() { return func() {} }, "task id longer than"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := startHub(t, nil)
			ip := []string{"127.0.0.69", "127.0.0.70"}[i]
			ra := th.dialRaw(t, "unrecorded-"+ip, ip)
			host := th.waitHost(t, ip)
			mend := tt.breaks(th)
			err := th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: tt.taskID, Hosts: []gse.Host{host}, Language: gse.LangShell, Content: "true"})
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), "gse_hub_task", "no database detail in what reaches the engine and the API")
			require.Zero(t, th.hub.Stats().Tasks, "the hub keeps no entry of a refused dispatch")

			// The agent was sent nothing: the next task it sees is the one
			// dispatched after the store is back.
			mend()
			require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "next", Hosts: []gse.Host{host}, Language: gse.LangShell, Content: "true"}))
			require.Equal(t, "next", ra.next(t, wire.TypeRunScript).TaskID)
		})
	}
}
