package executeimpl_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executeimpl"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/platform/errs"
)

// testLostByTransport: the transport forgets a running task, as a gse role
// that restarted does. Within LostCheckInterval (not after the step
// timeout plus its grace) the engine asks it, dispatches the agent hosts
// again, fails the agentless one with the reason, and the job ends.
func testLostByTransport(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b), executetest.WithOptions(executeimpl.Options{
		ReconcileInterval: 100 * time.Millisecond, DispatchLease: time.Second,
		TimeoutGrace: time.Hour, StopGrace: time.Hour, LostCheckInterval: 300 * time.Millisecond}))
	hosts := executetest.AddHosts(t, env.DB, 1, 3)
	agentless := hosts[2]
	require.NoError(t, env.DB.Exec(`UPDATE host SET ssh_addr = '127.0.0.1:22', ssh_user = 'root', credential_id = '00000000000000000000000000000001' WHERE id = ?`, agentless).Error)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{"up\n"}, Hold: r.Attempt == 1}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitHostsRunning(t, env, c, 3)
	taskID := env.Transport.Starts()[0].TaskID

	env.Transport.Forget(taskID)

	st := waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	byHost := hostStatuses(st)
	require.Equal(t, gse.HostStatusSuccess, byHost[hosts[0]], "an agent host is dispatched again and finishes")
	require.Equal(t, gse.HostStatusSuccess, byHost[hosts[1]])
	require.Equal(t, gse.HostStatusAgentError, byHost[agentless], "an agentless host whose session died is failed")
	starts := env.Transport.Starts()
	require.Len(t, starts, 2)
	require.ElementsMatch(t, hosts[:2], starts[1].Hosts, "only the lost agent hosts are sent again")
	require.Equal(t, taskID, starts[1].TaskID, "under the same task id, so an agent that still holds it carries on")
	var msg string
	require.NoError(t, env.DB.Raw(`SELECT error_msg FROM gse_execute_obj_task WHERE host_id = ?`, agentless).Scan(&msg).Error)
	require.Contains(t, msg, "gse role restarted")
}

// testHeldTaskNotLost: while the transport holds a task the engine's
// checks change nothing.
func testHeldTaskNotLost(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b), executetest.WithOptions(executeimpl.Options{
		ReconcileInterval: 50 * time.Millisecond, DispatchLease: time.Second,
		TimeoutGrace: time.Hour, StopGrace: time.Hour, LostCheckInterval: 100 * time.Millisecond}))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	env.Transport.Behave = func(executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{"up\n"}, Hold: true}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitHostsRunning(t, env, c, 2)
	require.Eventually(t, func() bool { return env.Transport.LostAsked() >= 3 }, 10*time.Second, 20*time.Millisecond,
		"the engine asks the transport about the running task")
	require.Len(t, env.Transport.Starts(), 1, "a held task is not dispatched again")
	env.Transport.Release()
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
}

// testLostAfterFinalResult: the host finishes, its result is stored and
// the transport releases it while the engine is asking; the engine must
// read the database again and not send the finished host again (its
// script would run twice).
func testLostAfterFinalResult(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b), executetest.WithOptions(executeimpl.Options{
		ReconcileInterval: 50 * time.Millisecond, DispatchLease: time.Second,
		TimeoutGrace: time.Hour, StopGrace: time.Hour, LostCheckInterval: 100 * time.Millisecond}))
	hosts := executetest.AddHosts(t, env.DB, 1, 1)
	env.Transport.Behave = func(executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{"up\n"}, Hold: true}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitHostsRunning(t, env, c, 1)
	var once sync.Once
	env.Transport.BeforeLost = func(taskID string) {
		once.Do(func() {
			env.Transport.Release()
			require.Eventually(t, func() bool {
				var n int64
				require.NoError(t, env.DB.Raw(`SELECT COUNT(*) FROM gse_execute_obj_task WHERE status = ?`, gse.HostStatusSuccess).Scan(&n).Error)
				return n == 1
			}, 10*time.Second, 10*time.Millisecond)
			env.Transport.Forget(taskID)
		})
	}
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Eventually(t, func() bool { return env.Transport.LostAsked() >= 1 }, 10*time.Second, 10*time.Millisecond)
	require.Len(t, env.Transport.Starts(), 1, "a host that finished while the engine asked is not sent again")
}

// testDispatchUnavailableRetried: the transport answers "unavailable" (the
// gse role restarting, or its task record unwritable) to the first
// dispatch; the task is left undispatched and sent again after the lease,
// instead of every host failing as not submitted.
func testDispatchUnavailableRetried(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	var refusals atomic.Int32
	env.Transport.Refuse = func(executetest.Start) error {
		if refusals.Add(1) == 1 {
			return errs.ErrUnavailable.Withf("the gse hub cannot record the task now")
		}
		return nil
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	for _, id := range hosts {
		require.Equal(t, gse.HostStatusSuccess, hostStatuses(st)[id])
	}
	require.Equal(t, int32(2), refusals.Load(), "refused once, then sent again")
	require.Len(t, env.Transport.Starts(), 1)
}
