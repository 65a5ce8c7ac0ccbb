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
