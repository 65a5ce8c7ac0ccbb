package executeimpl_test

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

var ctx = context.Background()

var scope = execute.ScopeRef{ScopeType: "biz", ScopeID: "1"}

func scriptReq(hosts ...int64) execute.FastExecuteScriptRequest {
	return execute.FastExecuteScriptRequest{ScopeRef: scope, Caller: execute.Caller{Username: "admin", AppCode: "test"},
		ScriptContent: b64("echo hello"), ScriptLanguage: 1, AccountAlias: "root",
		TargetServer: &execute.Server{HostIDList: hosts}}
}

// waitJob waits until the job reaches want and returns its status.
func waitJob(t *testing.T, env *executetest.Env, jobID int64, want execute.RunStatus) execute.JobInstanceStatus {
	t.Helper()
	var st execute.JobInstanceStatus
	require.Eventually(t, func() bool {
		var err error
		st, err = env.Engine.GetJobInstanceStatus(ctx, execute.GetJobInstanceStatusRequest{
			JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: jobID}, ReturnIPResult: true})
		require.NoError(t, err)
		return st.JobInstance.Status == want
	}, 30*time.Second, 25*time.Millisecond, "job %d did not reach %s: %+v", jobID, want, &st)
	return st
}

// stepStatus returns the result groups of the step (latest execute count).
func stepStatus(t *testing.T, env *executetest.Env, c execute.JobCreated, mod func(*execute.GetStepInstanceStatusRequest)) execute.StepInstanceStatus {
	t.Helper()
	req := execute.GetStepInstanceStatusRequest{StepRef: execute.StepRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID, StepInstanceID: c.StepInstanceID}}
	if mod != nil {
		mod(&req)
	}
	st, err := env.Engine.GetStepInstanceStatus(ctx, req)
	require.NoError(t, err)
	return st
}

// hostStatuses maps host id → status from a job status.
func hostStatuses(st execute.JobInstanceStatus) map[int64]int {
	out := map[int64]int{}
	for _, s := range st.StepInstanceList {
		for _, r := range s.StepIPResultList {
			out[r.HostID] = r.Status
		}
	}
	return out
}

func operateStep(t *testing.T, env *executetest.Env, c execute.JobCreated, code int) error {
	t.Helper()
	_, err := env.Engine.OperateStepInstance(ctx, execute.OperateStepInstanceRequest{
		StepRef:       execute.StepRef{ScopeRef: scope, Caller: execute.Caller{Username: "admin"}, JobInstanceID: c.JobInstanceID, StepInstanceID: c.StepInstanceID},
		OperationCode: code})
	return err
}

func hostLog(t *testing.T, env *executetest.Env, c execute.JobCreated, host int64) string {
	t.Helper()
	l, err := env.Engine.GetHostLog(ctx, execute.GetHostLogRequest{StepRef: execute.StepRef{ScopeRef: scope,
		JobInstanceID: c.JobInstanceID, StepInstanceID: c.StepInstanceID}, HostID: host})
	require.NoError(t, err)
	return l.LogContent
}
