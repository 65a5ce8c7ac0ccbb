package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// statusShape checks, on the raw JSON, what bk-job clients read: no
// end_time/total_time while the job and its step run, step_result_group_list
// [] (not null) when no host matches, and a refusal that names the state.
func (s *engineSetup) statusShape(t *testing.T) {
	m := marker(t)
	job := s.c.runScript(t, sleeper(m)+"echo started\nwait\n", []target{s.a1}, nil)
	s.c.waitLog(t, job, s.a1.ip(), "started", time.Minute)

	var running struct {
		JobInstance map[string]json.RawMessage   `json:"job_instance"`
		Steps       []map[string]json.RawMessage `json:"step_instance_list"`
	}
	s.c.v3Into(t, "get_job_instance_status", scope(map[string]any{"job_instance_id": job.JobInstanceID}), &running)
	require.Len(t, running.Steps, 1)
	for _, obj := range []map[string]json.RawMessage{running.JobInstance, running.Steps[0]} {
		require.Contains(t, obj, "start_time")
		require.NotContains(t, obj, "end_time", "bk-job leaves end_time out while running")
		require.NotContains(t, obj, "total_time", "bk-job leaves total_time out while running")
	}

	var step map[string]json.RawMessage
	s.c.v3Into(t, "get_step_instance_status", scope(map[string]any{"job_instance_id": job.JobInstanceID,
		"step_instance_id": job.StepInstanceID, "search_ip": "10.250.250.250"}), &step)
	require.JSONEq(t, "[]", string(step["step_result_group_list"]))

	s.c.v3(t, "operate_job_instance", scope(map[string]any{"job_instance_id": job.JobInstanceID, "operation_code": 1}))
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runStopSuccess, st.JobInstance.Status)
	var ended struct {
		JobInstance map[string]json.RawMessage `json:"job_instance"`
	}
	s.c.v3Into(t, "get_job_instance_status", scope(map[string]any{"job_instance_id": job.JobInstanceID}), &ended)
	require.Contains(t, ended.JobInstance, "end_time")
	require.Contains(t, ended.JobInstance, "total_time")

	again := s.c.call(t, "operate_job_instance", scope(map[string]any{"job_instance_id": job.JobInstanceID, "operation_code": 1}))
	require.False(t, again.Result)
	require.Equal(t, 1241003, again.Code)
	require.Equal(t, "cannot terminate the job: it has already ended (stopped)", again.Message)
}
