package executeimpl_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// testOperationLog: get_job_instance_operation_log lists the job's start
// and the operations done on it, newest first, with who and which step;
// another business's job and a missing id are refused.
func testOperationLog(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	env.Manage.AddScope(manage.Scope{Type: "biz", ID: "2", BizID: 2, Name: "Other"})
	hosts := executetest.AddHosts(t, env.DB, 1, 1)
	env.Transport.Behave = func(executetest.Run) executetest.Outcome { return executetest.Outcome{ExitCode: 1} }

	req := scriptReq(hosts[0])
	req.Caller = execute.Caller{Username: "alice", StartupMode: execute.StartupWeb}
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	require.NoError(t, operateStep(t, env, c, execute.StepOpRetryFail))
	waitJob(t, env, c.JobInstanceID, execute.StatusFail)

	got, err := env.Engine.GetJobInstanceOperationLog(ctx, execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID})
	require.NoError(t, err)
	require.Equal(t, c.JobInstanceID, got.JobInstanceID)
	require.Len(t, got.OperationLogList, 2)
	retry, start := got.OperationLogList[0], got.OperationLogList[1]
	require.Equal(t, execute.OpRetryStepFail, retry.OperationCode)
	require.Equal(t, "admin", retry.Operator)
	require.Equal(t, c.StepInstanceID, retry.StepInstanceID)
	require.Equal(t, execute.OpStart, start.OperationCode)
	require.Equal(t, "alice", start.Operator)
	require.Greater(t, retry.ID, start.ID)
	require.GreaterOrEqual(t, retry.CreateTime, start.CreateTime)

	_, err = env.Engine.GetJobInstanceOperationLog(ctx, execute.JobRef{ScopeRef: execute.ScopeRef{ScopeType: "biz", ScopeID: "2"},
		JobInstanceID: c.JobInstanceID})
	require.ErrorIs(t, err, execute.ErrJobNotFound, "a job of another business is not found")
	_, err = env.Engine.GetJobInstanceOperationLog(ctx, execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID + 1000})
	require.ErrorIs(t, err, execute.ErrJobNotFound)
	_, err = env.Engine.GetJobInstanceOperationLog(ctx, execute.JobRef{ScopeRef: scope})
	require.ErrorIs(t, err, errs.ErrInvalid)
	require.Equal(t, "job_instance_id", errs.From(err).Field)
}
