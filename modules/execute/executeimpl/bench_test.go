package executeimpl_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

// BenchmarkScript1000Hosts measures a trivial script on 1,000 simulated
// hosts: from the API call until every host's result is stored and the job
// has finished.
//
//	go test ./modules/execute/executeimpl/ -run '^$' -bench Script1000Hosts -benchtime 5x
func BenchmarkScript1000Hosts(b *testing.B) {
	env := executetest.NewEnv(b)
	hosts := executetest.AddHosts(b, env.DB, 1, 1000)
	req := scriptReq(hosts...)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := env.Engine.FastExecuteScript(ctx, req)
		require.NoError(b, err)
		for {
			st, err := env.Engine.GetJobInstanceStatus(ctx, execute.GetJobInstanceStatusRequest{
				JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID}})
			require.NoError(b, err)
			if !st.Finished {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			if st.Finished {
				require.Equal(b, execute.StatusSuccess, st.JobInstance.Status)
				break
			}
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "hosts/s")
}

// BenchmarkStepHosts10k measures what the task page asks of a finished
// step of 10,000 simulated hosts in four result groups: the counts
// (get_step_instance_status, one host per group) and one page of 100 hosts
// of a group (list_step_instance_hosts). Both read and sort every row of
// the step (viewRows); this says what that costs.
//
//	go test ./modules/execute/executeimpl/ -run '^$' -bench StepHosts10k -benchtime 20x
func BenchmarkStepHosts10k(b *testing.B) {
	env := executetest.NewEnv(b)
	hosts := executetest.AddHosts(b, env.DB, 1, 10000)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		if r.Host.ID%4 != 0 {
			return executetest.Outcome{Output: []string{"fine\n"}}
		}
		return executetest.Outcome{Output: []string{"boom\n"}, ExitCode: 1, Tag: []string{"a", "b", "c"}[r.Host.ID%3]}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(b, err)
	ref := execute.StepRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID, StepInstanceID: c.StepInstanceID}
	require.Eventually(b, func() bool {
		st, err := env.Engine.GetJobInstanceStatus(ctx, execute.GetJobInstanceStatusRequest{JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID}})
		require.NoError(b, err)
		return st.Finished
	}, 5*time.Minute, 50*time.Millisecond)
	one, length, fail, tag := 1, 100, 104, "b"
	b.Run("counts", func(b *testing.B) {
		for b.Loop() {
			st, err := env.Engine.GetStepInstanceStatus(ctx, execute.GetStepInstanceStatusRequest{StepRef: ref, MaxHostNumPerGroup: &one})
			require.NoError(b, err)
			require.Len(b, st.StepResultGroupList, 4)
		}
	})
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			p, err := env.Engine.ListStepInstanceHosts(ctx, execute.ListStepInstanceHostsRequest{StepRef: ref,
				Status: &fail, Tag: &tag, Start: 500, Length: &length})
			require.NoError(b, err)
			require.Len(b, p.Data, 100)
		}
	})
}
