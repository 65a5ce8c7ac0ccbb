package executeimpl_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

// TestCrashResume stops the engine in the middle of a 50-host task, lets the
// hosts finish while no engine runs, and starts a new engine (another
// process: a bus peer) on the same database. The transport also replays
// everything it had delivered. The task finishes without being dispatched
// again, every host has exactly one result, and every log is whole and
// unduplicated.
func testCrashResume(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 50)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{fmt.Sprintf("start %d\n", r.Host.ID)}, Hold: true,
			Tail: []string{"middle\n", fmt.Sprintf("end %d\n", r.Host.ID)}}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitHostsRunning(t, env, c, 50)

	require.NoError(t, env.Engine.Stop(ctx))
	env.Transport.Release()
	require.Eventually(t, func() bool { return env.Transport.Pending() >= 150 }, 5*time.Second, 10*time.Millisecond,
		"the hosts finish while no engine takes their results")
	js, err := env.Engine.GetJobInstanceStatus(ctx, execute.GetJobInstanceStatusRequest{JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID}})
	require.NoError(t, err)
	require.Equal(t, execute.StatusRunning, js.JobInstance.Status)

	old := env.Bus
	env.Bus = env.PeerBus(t)
	require.NoError(t, old.Close())
	env.Transport.Replay()
	env.Engine = env.NewEngine(t)

	st := waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Len(t, hostStatuses(st), 50)
	require.Len(t, env.Transport.Starts(), 1, "re-attached, not dispatched again")
	var rows []struct {
		HostID int64
		N      int
	}
	require.NoError(t, env.DB.Raw(`SELECT host_id, COUNT(*) AS n FROM gse_execute_obj_task
		WHERE step_instance_id = ? AND execute_count = 0 GROUP BY host_id`, c.StepInstanceID).Scan(&rows).Error)
	require.Len(t, rows, 50)
	for _, r := range rows {
		require.Equal(t, 1, r.N, "host %d", r.HostID)
	}
	for _, id := range hosts {
		require.Equal(t, fmt.Sprintf("start %d\nmiddle\nend %d\n", id, id), hostLog(t, env, c, id))
	}
}

// TestDispatchTakeover simulates a dispatcher that died between claiming a
// task and handing it over: another engine takes the claim over after the
// lease and sends only the hosts that never showed a sign of life.
func testDispatchTakeover(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 4)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{"up\n"}, Hold: r.Attempt == 1}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitHostsRunning(t, env, c, 4)
	require.NoError(t, env.Engine.Stop(ctx))
	// hosts 3 and 4 never got the task: no output, still waiting; the
	// dispatch was never confirmed.
	require.NoError(t, env.DB.Exec(`UPDATE gse_execute_obj_task SET status = 5, log_offset = 0 WHERE host_id IN (3, 4)`).Error)
	require.NoError(t, env.DB.Exec(`UPDATE gse_task SET dispatched = 0`).Error)
	env.Engine = env.NewEngine(t)
	require.Eventually(t, func() bool { return len(env.Transport.Starts()) == 2 }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, []int64{3, 4}, env.Transport.Starts()[1].Hosts)
	require.Equal(t, env.Transport.Starts()[0].TaskID, env.Transport.Starts()[1].TaskID)
	env.Transport.Release()
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
}

// TestTwoEngines runs two engines (two processes on one database and one
// broker) side by side: every task is dispatched exactly once.
func testTwoEngines(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 5)
	first := env.Engine
	env.Bus = env.PeerBus(t)
	second := env.NewEngine(t)
	var jobs []execute.JobCreated
	for i := 0; i < 20; i++ {
		eng := first
		if i%2 == 1 {
			eng = second
		}
		c, err := eng.FastExecuteScript(ctx, scriptReq(hosts...))
		require.NoError(t, err)
		jobs = append(jobs, c)
	}
	// results of both engines' dispatches arrive at the second engine's sink
	for _, c := range jobs {
		waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	}
	seen := map[string]int{}
	for _, s := range env.Transport.Starts() {
		seen[s.TaskID]++
	}
	require.Len(t, seen, 20)
	for id, n := range seen {
		require.Equal(t, 1, n, "task %s dispatched %d times", id, n)
	}
}
