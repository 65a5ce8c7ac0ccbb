package executeimpl_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// readLog reads a host's whole log where LogTarget says it is.
func readLog(t *testing.T, env *executetest.Env, st logsvr.StepState, host int64) string {
	t.Helper()
	l, err := env.Logs.ReadScript(ctx, logsvr.HostKey{StepRef: st.Ref, HostID: host}, 0, 0)
	require.NoError(t, err)
	return string(l.Content)
}

// testLogTargetRolling: a host's batch is resolved, a batch still to run is
// not finished, a step paused between batches is not over.
func testLogTargetRolling(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 3)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{fmt.Sprintf("out %d\n", r.Host.ID)}}
	}
	req := scriptReq(hosts...)
	req.RollingConfig = &execute.RollingConfig{Expression: "1", Mode: execute.RollingManual}
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusWaitingUser)
	target := func(host int64, batch int) (logsvr.StepState, error) {
		return env.Engine.LogTarget(ctx, execute.LogTargetRequest{StepInstanceID: c.StepInstanceID, Batch: batch, HostID: host})
	}

	h1, err := target(1, logsvr.AnyBatch)
	require.NoError(t, err)
	require.Equal(t, c.JobInstanceID, h1.Ref.JobInstanceID)
	require.Equal(t, c.StepInstanceID, h1.Ref.StepInstanceID)
	require.Equal(t, 1, h1.Ref.Batch)
	require.False(t, h1.Ref.JobCreated.IsZero())
	require.Equal(t, int(execute.StatusWaitingUser), h1.Status)
	require.True(t, h1.Finished)
	require.Equal(t, "out 1\n", readLog(t, env, h1, 1))

	h3, err := target(3, logsvr.AnyBatch)
	require.NoError(t, err)
	require.Equal(t, 3, h3.Ref.Batch)
	require.False(t, h3.Finished, "batch 3 has not run yet")
	step, err := target(0, logsvr.AnyBatch)
	require.NoError(t, err)
	require.Equal(t, logsvr.AnyBatch, step.Ref.Batch)
	require.False(t, step.Finished, "a step waiting between batches writes more")

	_, err = target(3, 1)
	require.ErrorIs(t, err, execute.ErrHostNotFound)
	for _, bad := range []int{0, 4} {
		_, err = target(3, bad)
		require.ErrorIs(t, err, errs.ErrInvalid, "batch %d", bad)
	}

	require.NoError(t, operateStep(t, env, c, execute.StepOpRollingContinue))
	waitJob(t, env, c.JobInstanceID, execute.StatusWaitingUser)
	require.NoError(t, operateStep(t, env, c, execute.StepOpRollingContinue))
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	h3, err = target(3, 3)
	require.NoError(t, err)
	require.True(t, h3.Finished)
	require.Equal(t, int(execute.StatusSuccess), h3.Status)
	require.Equal(t, "out 3\n", readLog(t, env, h3, 3))
	step, err = target(0, logsvr.AnyBatch)
	require.NoError(t, err)
	require.True(t, step.Finished)
}

// testLogTargetRetry: a host kept by a retry points at the run that wrote
// its log, a host running again is not finished until it ends, and unknown
// steps, hosts, execute counts and scopes are refused.
func testLogTargetRetry(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	env.Manage.AddScope(manage.Scope{Type: "biz", ID: "2", BizID: 2, Name: "Other"})
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		out := executetest.Outcome{Output: []string{fmt.Sprintf("run %d\n", r.Attempt)}}
		if r.Host.ID == 2 {
			out.ExitCode = boolExit(r.Attempt == 1)
			out.Hold = r.Attempt == 2
		}
		return out
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	require.NoError(t, operateStep(t, env, c, execute.StepOpRetryFail))
	target := func(host int64, count int) (logsvr.StepState, error) {
		return env.Engine.LogTarget(ctx, execute.LogTargetRequest{StepInstanceID: c.StepInstanceID, ExecuteCount: count,
			Batch: logsvr.AnyBatch, HostID: host})
	}

	var h2 logsvr.StepState
	require.Eventually(t, func() bool {
		h2, err = target(2, 1)
		require.NoError(t, err)
		return readLog(t, env, h2, 2) == "run 2\n"
	}, 30*time.Second, 25*time.Millisecond)
	require.Equal(t, 1, h2.Ref.ExecuteCount)
	require.Equal(t, 0, h2.Ref.Batch)
	require.False(t, h2.Finished, "the host is still running")
	step, err := target(0, 1)
	require.NoError(t, err)
	require.False(t, step.Finished)
	old, err := target(0, 0)
	require.NoError(t, err)
	require.True(t, old.Finished, "an earlier execute count gets no more log")

	h1, err := target(1, 1)
	require.NoError(t, err)
	require.Equal(t, 0, h1.Ref.ExecuteCount, "the kept host's log is the first run's")
	require.True(t, h1.Finished)
	require.Equal(t, "run 1\n", readLog(t, env, h1, 1))

	env.Transport.Release()
	require.Eventually(t, func() bool {
		h2, err = target(2, 1)
		require.NoError(t, err)
		return h2.Finished
	}, 30*time.Second, 25*time.Millisecond)
	first, err := target(2, 0)
	require.NoError(t, err)
	require.Equal(t, "run 1\n", readLog(t, env, first, 2))

	_, err = target(2, 2)
	require.ErrorIs(t, err, errs.ErrInvalid)
	_, err = target(77, 1)
	require.ErrorIs(t, err, execute.ErrHostNotFound)
	_, err = env.Engine.LogTarget(ctx, execute.LogTargetRequest{StepInstanceID: c.StepInstanceID + 100})
	require.ErrorIs(t, err, execute.ErrStepNotFound)
	_, err = env.Engine.LogTarget(ctx, execute.LogTargetRequest{ScopeRef: execute.ScopeRef{ScopeType: "biz", ScopeID: "2"},
		StepInstanceID: c.StepInstanceID})
	require.ErrorIs(t, err, execute.ErrStepNotFound, "a step of another scope is not found")
	_, err = env.Engine.LogTarget(ctx, execute.LogTargetRequest{ScopeRef: scope, StepInstanceID: c.StepInstanceID})
	require.NoError(t, err)
}

// testHostLogNotStarted: a target whose rolling batch has not started has an
// empty log, by host id, by ip and in a batch query; a host that is no
// target is not found.
func testHostLogNotStarted(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 3)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{fmt.Sprintf("out %d\n", r.Host.ID)}}
	}
	req := scriptReq(hosts...)
	req.RollingConfig = &execute.RollingConfig{Expression: "1", Mode: execute.RollingManual}
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusWaitingUser)
	ref := execute.StepRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID, StepInstanceID: c.StepInstanceID}

	for _, q := range []execute.GetHostLogRequest{{StepRef: ref, HostID: 3}, {StepRef: ref, IP: executetest.HostIP(3)}} {
		l, err := env.Engine.GetHostLog(ctx, q)
		require.NoError(t, err, "host 3 (batch 3, not started) is a target")
		require.Equal(t, execute.HostLog{HostID: 3, IP: executetest.HostIP(3), LogType: execute.LogTypeScript}, l)
	}
	_, err = env.Engine.GetHostLog(ctx, execute.GetHostLogRequest{StepRef: ref, HostID: 77})
	require.ErrorIs(t, err, execute.ErrHostNotFound)
	_, err = env.Engine.GetHostLog(ctx, execute.GetHostLogRequest{StepRef: ref, IP: "10.9.9.9"})
	require.ErrorIs(t, err, execute.ErrHostNotFound)

	type entry struct {
		host int64
		ip   string
		log  string
	}
	batch := func(q execute.BatchGetHostLogsRequest) []entry {
		t.Helper()
		q.StepRef = ref
		logs, err := env.Engine.BatchGetHostLogs(ctx, q)
		require.NoError(t, err)
		var out []entry
		for _, l := range logs.ScriptTaskLogs {
			out = append(out, entry{l.HostID, l.IP, l.LogContent})
		}
		return out
	}
	require.Equal(t, []entry{{1, executetest.HostIP(1), "out 1\n"}, {3, executetest.HostIP(3), ""}},
		batch(execute.BatchGetHostLogsRequest{HostIDList: []int64{1, 3, 77}}))
	require.Equal(t, []entry{{1, executetest.HostIP(1), "out 1\n"}, {2, executetest.HostIP(2), ""}},
		batch(execute.BatchGetHostLogsRequest{IPList: []execute.IP{{IP: executetest.HostIP(2)}, {IP: executetest.HostIP(1)},
			{CloudID: 5, IP: executetest.HostIP(3)}}}))

	require.NoError(t, operateStep(t, env, c, execute.StepOpRollingContinue))
	waitJob(t, env, c.JobInstanceID, execute.StatusWaitingUser)
	require.NoError(t, operateStep(t, env, c, execute.StepOpRollingContinue))
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Equal(t, "out 3\n", hostLog(t, env, c, 3))
}
