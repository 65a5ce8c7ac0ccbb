package executeimpl_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

// jobStatus asks get_job_instance_status with return_ip_result.
func jobStatus(t *testing.T, env *executetest.Env, jobID int64) execute.JobInstanceStatus {
	t.Helper()
	st, err := env.Engine.GetJobInstanceStatus(ctx, execute.GetJobInstanceStatusRequest{
		JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: jobID}, ReturnIPResult: true})
	require.NoError(t, err)
	return st
}

// jsonKeys is the set of keys of v's JSON object.
func jsonKeys(t *testing.T, v any) map[string]json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// testEndTimesWhileRunning: end_time and total_time are left out of the job
// and its step while they run, and given once they end; refusals name the
// state in words.
func testEndTimesWhileRunning(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	env.Transport.Behave = func(executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{"working\n"}, Hold: true}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitHostsRunning(t, env, c, 2)

	st := jobStatus(t, env, c.JobInstanceID)
	require.Nil(t, st.JobInstance.EndTime)
	require.Nil(t, st.JobInstance.TotalTime)
	require.Nil(t, st.StepInstanceList[0].EndTime)
	require.Nil(t, st.StepInstanceList[0].TotalTime)
	for _, v := range []any{st.JobInstance, st.StepInstanceList[0]} {
		keys := jsonKeys(t, v)
		require.NotContains(t, keys, "end_time")
		require.NotContains(t, keys, "total_time")
		require.Contains(t, keys, "start_time")
	}
	err = operateStep(t, env, c, execute.StepOpNextStep)
	require.ErrorIs(t, err, execute.ErrOperationNotAllowed)
	require.EqualError(t, err, "cannot go to the next step: the step is still running; only a terminated step can be passed over")

	_, err = env.Engine.OperateJobInstance(ctx, execute.OperateJobInstanceRequest{
		JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID}, OperationCode: execute.JobOpTerminate})
	require.NoError(t, err)
	st = waitJob(t, env, c.JobInstanceID, execute.StatusStopSuccess)
	for _, v := range []any{st.JobInstance, st.StepInstanceList[0]} {
		keys := jsonKeys(t, v)
		require.Contains(t, keys, "end_time")
		require.Contains(t, keys, "total_time")
	}
	require.Positive(t, *st.JobInstance.EndTime)
	require.Positive(t, *st.StepInstanceList[0].EndTime)

	_, err = env.Engine.OperateJobInstance(ctx, execute.OperateJobInstanceRequest{
		JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID}, OperationCode: execute.JobOpTerminate})
	require.ErrorIs(t, err, execute.ErrOperationNotAllowed)
	require.EqualError(t, err, "cannot terminate the job: it has already ended (stopped)")
	err = operateStep(t, env, c, execute.StepOpIgnoreError)
	require.EqualError(t, err, "cannot ignore the error: the step has already ended (stopped); only a failed step's error can be ignored")
}

// testStepNotStartedListsWaitingHosts: a step no engine has started yet
// lists its targets as waiting (5) when return_ip_result is true.
func testStepNotStartedListsWaitingHosts(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	require.NoError(t, env.Engine.Stop(ctx)) // nothing starts the step
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)

	st := jobStatus(t, env, c.JobInstanceID)
	require.Equal(t, execute.StatusBlank, st.StepInstanceList[0].Status)
	require.Nil(t, st.JobInstance.EndTime)
	require.Equal(t, []execute.StepIPResult{
		{HostID: 1, IP: executetest.HostIP(1), Status: gse.HostStatusWaiting},
		{HostID: 2, IP: executetest.HostIP(2), Status: gse.HostStatusWaiting},
	}, st.StepInstanceList[0].StepIPResultList)
	without, err := env.Engine.GetJobInstanceStatus(ctx, execute.GetJobInstanceStatusRequest{
		JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID}})
	require.NoError(t, err)
	require.Nil(t, without.StepInstanceList[0].StepIPResultList, "hosts only with return_ip_result")
}

// testEmptyResultGroups: step_result_group_list is [] (never null) when no
// host matches.
func testEmptyResultGroups(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 1)
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)

	st := stepStatus(t, env, c, func(r *execute.GetStepInstanceStatusRequest) { r.SearchIP = "10.250.250.250" })
	require.NotNil(t, st.StepResultGroupList)
	require.Empty(t, st.StepResultGroupList)
	require.JSONEq(t, "[]", string(jsonKeys(t, st)["step_result_group_list"]))
}
