package executeimpl_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

func TestScriptSuccess(t *testing.T) {
	env := executetest.NewEnv(t)
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

func TestScriptNonZeroExit(t *testing.T) {
	env := executetest.NewEnv(t)
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
