package executeimpl

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
)

// rollingOnly is a store that knows rolling batches only.
type rollingOnly struct {
	store
	tasks []rollingTask
}

func (r rollingOnly) rollingTasks(context.Context, int64) ([]rollingTask, error) { return r.tasks, nil }

func TestStepOutcome(t *testing.T) {
	const (
		ok    = execute.StatusSuccess
		fail  = execute.StatusFail
		stop  = execute.StatusStopSuccess
		pause = execute.RollingPauseOnFailure
		ign   = execute.RollingIgnoreFailure
		man   = execute.RollingManual
	)
	failedBatch1 := []rollingTask{{Batch: 1, Status: int(fail)}, {Batch: 2, Status: int(ok)}}
	retriedBatch1 := []rollingTask{{Batch: 1, ExecuteCount: 0, Status: int(fail)}, {Batch: 1, ExecuteCount: 1, Status: int(ok)}}
	tests := []struct {
		name    string
		step    stepInstance
		gse     execute.RunStatus
		batches []rollingTask
		want    execute.RunStatus
	}{
		{"plain success", stepInstance{}, ok, nil, execute.StatusSuccess},
		{"plain failure", stepInstance{}, fail, nil, execute.StatusFail},
		{"failure ignored by the step", stepInstance{IgnoreError: 1}, fail, nil, execute.StatusIgnoreError},
		{"terminated", stepInstance{}, stop, nil, execute.StatusStopSuccess},
		{"terminated rolling", stepInstance{TotalBatch: 3, Batch: 1}, stop, nil, execute.StatusStopSuccess},
		{"batch done, more to go", stepInstance{TotalBatch: 3, Batch: 1, RollingMode: pause}, ok, nil, execute.StatusRollingWaiting},
		{"batch done, manual", stepInstance{TotalBatch: 3, Batch: 2, RollingMode: man}, ok, nil, execute.StatusWaitingUser},
		{"last batch done", stepInstance{TotalBatch: 3, Batch: 3, RollingMode: man}, ok, nil, execute.StatusSuccess},
		{"batch failed, pause", stepInstance{TotalBatch: 3, Batch: 1, RollingMode: pause}, fail, nil, execute.StatusFail},
		{"batch failed, manual pauses too", stepInstance{TotalBatch: 3, Batch: 1, RollingMode: man}, fail, nil, execute.StatusFail},
		{"batch failed, ignore failure rolls on", stepInstance{TotalBatch: 3, Batch: 1, RollingMode: ign}, fail, nil, execute.StatusRollingWaiting},
		{"last batch failed, ignore failure", stepInstance{TotalBatch: 2, Batch: 2, RollingMode: ign}, fail, nil, execute.StatusIgnoreError},
		{"last batch ok after a failed one", stepInstance{TotalBatch: 2, Batch: 2, RollingMode: ign}, ok, failedBatch1, execute.StatusIgnoreError},
		{"last batch ok after a retried one", stepInstance{TotalBatch: 2, Batch: 2, RollingMode: ign}, ok, retriedBatch1, execute.StatusSuccess},
		{"batch failed, step ignores errors", stepInstance{TotalBatch: 3, Batch: 1, RollingMode: pause, IgnoreError: 1}, fail, nil, execute.StatusIgnoreError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Engine{st: rollingOnly{tasks: tt.batches}}
			got, err := e.stepOutcome(context.Background(), &tt.step, tt.gse)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestGroupResults(t *testing.T) {
	rows := []hostTask{
		{HostID: 1, IP: "10.0.0.3", Status: gse.HostStatusSuccess, Tag: "a"},
		{HostID: 2, IP: "10.0.0.1", Status: gse.HostStatusScriptNonZeroExit},
		{HostID: 3, IP: "10.0.0.2", Status: gse.HostStatusSuccess, Tag: "a"},
		{HostID: 4, IP: "10.0.0.4", Status: gse.HostStatusRunning},
		{HostID: 5, IP: "10.0.0.5", Status: gse.HostStatusAgentError},
		{HostID: -1, IP: "10.0.0.6", Status: gse.HostStatusInvalid},
		{HostID: 7, IP: "10.0.0.7", Status: gse.HostStatusSuccess},
	}
	groups := groupResults(rows, nil, "", nil)
	type g struct {
		status int
		tag    string
		hosts  []int64
	}
	var got []g
	for _, x := range groups {
		var ids []int64
		for _, h := range x.HostResultList {
			ids = append(ids, h.HostID)
		}
		got = append(got, g{x.ResultType, x.Tag, ids})
		require.Empty(t, x.ResultTypeDesc, "the engine answers numbers; the door names them (Localized)")
	}
	require.Equal(t, []g{
		{9, "", []int64{7}},
		{9, "a", []int64{3, 1}}, // sorted by IP
		{7, "", []int64{4}},
		{1, "", []int64{5}},
		{2, "", []int64{0}}, // synthetic id of an unknown host shows as 0
		{104, "", []int64{2}},
	}, got)

	require.Empty(t, groupResults(nil, nil, "", nil))
}
