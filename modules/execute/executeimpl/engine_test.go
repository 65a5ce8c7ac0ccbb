package executeimpl_test

import (
	"fmt"
	"time"

	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

func testScriptSuccess(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 3)
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.True(t, st.Finished)
	require.Equal(t, execute.StatusSuccess, st.StepInstanceList[0].Status)
	require.Equal(t, map[int64]int{1: 9, 2: 9, 3: 9}, hostStatuses(st))
	require.Equal(t, "hello\n", hostLog(t, env, c, 2))
	starts := env.Transport.Starts()
	require.Len(t, starts, 1)
	require.Equal(t, "root", starts[0].Script.Account)
	require.Equal(t, "echo hello", starts[0].Script.Content)
}

func testScriptNonZeroExit(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		if r.Host.ID == 2 {
			return executetest.Outcome{Output: []string{"boom\n"}, ExitCode: 3}
		}
		return executetest.Outcome{Output: []string{"ok\n"}}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	require.Equal(t, execute.StatusFail, st.StepInstanceList[0].Status)
	require.Equal(t, map[int64]int{1: gse.HostStatusSuccess, 2: gse.HostStatusScriptNonZeroExit}, hostStatuses(st))
	for _, r := range st.StepInstanceList[0].StepIPResultList {
		if r.HostID == 2 {
			require.Equal(t, 3, r.ExitCode)
		}
	}
}

func testScriptTimeout(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		if r.Host.ID == 1 {
			return executetest.Outcome{Output: []string{"sleeping\n"}, Hold: true}
		}
		return executetest.Outcome{}
	}
	req := scriptReq(hosts...)
	one := 1
	req.Timeout = &one
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	require.Equal(t, map[int64]int{1: gse.HostStatusScriptTimeout, 2: gse.HostStatusSuccess}, hostStatuses(st))
	require.Equal(t, time.Second, env.Transport.Starts()[0].Script.Timeout)
}

func testTerminate(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 3)
	env.Transport.Behave = func(executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{"working\n"}, Hold: true}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitHostsRunning(t, env, c, 3)
	_, err = env.Engine.OperateJobInstance(ctx, execute.OperateJobInstanceRequest{
		JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID}, OperationCode: execute.JobOpTerminate})
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusStopSuccess)
	require.Equal(t, execute.StatusStopSuccess, st.StepInstanceList[0].Status)
	require.Equal(t, map[int64]int{1: 403, 2: 403, 3: 403}, hostStatuses(st))

	// terminating again is refused; next-step then finishes the job
	_, err = env.Engine.OperateJobInstance(ctx, execute.OperateJobInstanceRequest{
		JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID}, OperationCode: execute.JobOpTerminate})
	require.ErrorIs(t, err, execute.ErrOperationNotAllowed)
	require.NoError(t, operateStep(t, env, c, execute.StepOpNextStep))
	st = waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Equal(t, execute.StatusSkipped, st.StepInstanceList[0].Status)
}

func testRetryFailedAfterFix(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 3)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		if r.Host.ID == 3 && r.Attempt == 1 {
			return executetest.Outcome{Output: []string{"broken\n"}, ExitCode: 1}
		}
		return executetest.Outcome{Output: []string{fmt.Sprintf("run %d\n", r.Attempt)}}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusFail)

	require.ErrorIs(t, operateStep(t, env, c, execute.StepOpNextStep), execute.ErrOperationNotAllowed)
	require.NoError(t, operateStep(t, env, c, execute.StepOpRetryFail))
	st := waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Equal(t, 1, st.StepInstanceList[0].ExecuteCount)
	require.Equal(t, map[int64]int{1: 9, 2: 9, 3: 9}, hostStatuses(st))

	starts := env.Transport.Starts()
	require.Len(t, starts, 2)
	require.Equal(t, []int64{3}, starts[1].Hosts, "only the failed host runs again")
	require.Equal(t, "run 2\n", hostLog(t, env, c, 3))
	require.Equal(t, "run 1\n", hostLog(t, env, c, 1), "a host that succeeded keeps its first log")

	// the first run stays readable
	zero := 0
	first := stepStatus(t, env, c, func(r *execute.GetStepInstanceStatusRequest) { r.ExecuteCount = &zero })
	require.Equal(t, 0, first.ExecuteCount)
	require.Len(t, first.StepResultGroupList, 2)
	l, err := env.Engine.GetHostLog(ctx, execute.GetHostLogRequest{StepRef: execute.StepRef{ScopeRef: scope,
		JobInstanceID: c.JobInstanceID, StepInstanceID: c.StepInstanceID}, HostID: 3, ExecuteCount: &zero})
	require.NoError(t, err)
	require.Equal(t, "broken\n", l.LogContent)
}

func testRetryAll(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		if r.Host.ID == 1 && r.Attempt == 1 {
			return executetest.Outcome{ExitCode: 1}
		}
		return executetest.Outcome{}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	require.NoError(t, operateStep(t, env, c, execute.StepOpRetryAll))
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	starts := env.Transport.Starts()
	require.Len(t, starts, 2)
	require.ElementsMatch(t, []int64{1, 2}, starts[1].Hosts)
}

func testIgnoreError(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		return executetest.Outcome{ExitCode: int(r.Host.ID) - 1}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	require.NoError(t, operateStep(t, env, c, execute.StepOpIgnoreError))
	st := waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Equal(t, execute.StatusIgnoreError, st.StepInstanceList[0].Status)
	require.ErrorIs(t, operateStep(t, env, c, execute.StepOpIgnoreError), execute.ErrOperationNotAllowed)
}

func testInvalidAndDeadHosts(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	env.Transport.SetAlive(false, 2)
	req := scriptReq(append(hosts, 999)...)
	req.TargetServer.IPList = []execute.IP{{CloudID: 0, IP: "10.9.9.9"}, {CloudID: 0, IP: executetest.HostIP(1)}}
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	results := st.StepInstanceList[0].StepIPResultList
	require.Len(t, results, 4, "host 1 named twice counts once")
	byIP := map[string]int{}
	for _, r := range results {
		byIP[fmt.Sprintf("%d/%s", r.HostID, r.IP)] = r.Status
	}
	require.Equal(t, map[string]int{
		"1/" + executetest.HostIP(1): gse.HostStatusSuccess,
		"2/" + executetest.HostIP(2): gse.HostStatusAgentError,
		"999/":                       gse.HostStatusInvalid,
		"0/10.9.9.9":                 gse.HostStatusInvalid,
	}, byIP)
	require.Equal(t, []int64{1}, env.Transport.Starts()[0].Hosts)
}

func waitHostsRunning(t *testing.T, env *executetest.Env, c execute.JobCreated, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		st := stepStatus(t, env, c, nil)
		running := 0
		for _, g := range st.StepResultGroupList {
			if g.ResultType == gse.HostStatusRunning {
				running += g.HostSize
			}
		}
		return running == n
	}, 30*time.Second, 25*time.Millisecond)
}
