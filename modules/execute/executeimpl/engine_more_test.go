package executeimpl_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

func testRollingPauseOnFailure(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 6)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		if r.Host.ID == 4 && r.Attempt == 1 {
			return executetest.Outcome{ExitCode: 2}
		}
		return executetest.Outcome{}
	}
	req := scriptReq(hosts...)
	req.RollingConfig = &execute.RollingConfig{Expression: "1 +1", Mode: execute.RollingPauseOnFailure}
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)

	// batches of 1, 2, 3 hosts; host 4 (batch 3) fails → the step pauses as FAIL
	waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	st := stepStatus(t, env, c, nil)
	require.Equal(t, 3, st.CurrentBatch)
	require.Equal(t, 3, st.TotalBatch)
	starts := env.Transport.Starts()
	require.Len(t, starts, 3)
	require.Equal(t, [][]int64{{1}, {2, 3}, {4, 5, 6}}, [][]int64{starts[0].Hosts, starts[1].Hosts, starts[2].Hosts})
	require.Equal(t, []string{"1:0:1", "1:0:2", "1:0:3"}, []string{starts[0].TaskID, starts[1].TaskID, starts[2].TaskID})

	two := 2
	b2 := stepStatus(t, env, c, func(r *execute.GetStepInstanceStatusRequest) { r.Batch = &two })
	require.Len(t, b2.StepResultGroupList, 1)
	require.Equal(t, 2, b2.StepResultGroupList[0].HostSize)

	require.NoError(t, operateStep(t, env, c, execute.StepOpRetryFail))
	js := waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Equal(t, execute.StatusSuccess, js.StepInstanceList[0].Status)
	require.Len(t, hostStatuses(js), 6)
	for _, s := range hostStatuses(js) {
		require.Equal(t, gse.HostStatusSuccess, s)
	}
}

func testRollingManualContinue(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 4)
	req := scriptReq(hosts...)
	req.RollingConfig = &execute.RollingConfig{Expression: "50%", Mode: execute.RollingManual}
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusWaitingUser)
	require.Equal(t, execute.StatusWaitingUser, st.StepInstanceList[0].Status)
	require.Len(t, env.Transport.Starts(), 1)
	require.NoError(t, operateStep(t, env, c, execute.StepOpRollingContinue))
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Len(t, env.Transport.Starts(), 2)
}

func testRollingIgnoreFailure(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 3)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		return executetest.Outcome{ExitCode: boolExit(r.Host.ID == 1)}
	}
	req := scriptReq(hosts...)
	req.RollingConfig = &execute.RollingConfig{Expression: "1", Mode: execute.RollingIgnoreFailure}
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Equal(t, execute.StatusIgnoreError, st.StepInstanceList[0].Status)
	require.Len(t, env.Transport.Starts(), 3)
}

func boolExit(fail bool) int {
	if fail {
		return 1
	}
	return 0
}

func testResultGroupsByTag(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 5)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		switch r.Host.ID {
		case 1, 2:
			return executetest.Outcome{Output: []string{"job_success:[blue]\n"}, Tag: "blue"}
		case 3:
			return executetest.Outcome{Output: []string{"job_success:[green] needle\n"}, Tag: "green"}
		}
		return executetest.Outcome{Output: []string{"job_fail:[red] needle\n"}, Tag: "red", ExitCode: 1}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusFail)

	type group struct {
		status, size, listed int
		tag                  string
	}
	summarize := func(st execute.StepInstanceStatus) []group {
		var out []group
		for _, g := range st.StepResultGroupList {
			out = append(out, group{g.ResultType, g.HostSize, len(g.HostResultList), g.Tag})
		}
		return out
	}
	all := stepStatus(t, env, c, nil)
	require.Equal(t, []group{{9, 2, 2, "blue"}, {9, 1, 1, "green"}, {104, 2, 2, "red"}}, summarize(all))

	one := 1
	limited := stepStatus(t, env, c, func(r *execute.GetStepInstanceStatusRequest) { r.MaxHostNumPerGroup = &one })
	require.Equal(t, []group{{9, 2, 1, "blue"}, {9, 1, 1, "green"}, {104, 2, 1, "red"}}, summarize(limited))

	fail := 104
	byStatus := stepStatus(t, env, c, func(r *execute.GetStepInstanceStatusRequest) { r.Status = &fail })
	require.Equal(t, []group{{9, 2, 0, "blue"}, {9, 1, 0, "green"}, {104, 2, 2, "red"}}, summarize(byStatus))

	byTag := stepStatus(t, env, c, func(r *execute.GetStepInstanceStatusRequest) { r.Tag = "green" })
	require.Equal(t, []group{{9, 2, 0, "blue"}, {9, 1, 1, "green"}, {104, 2, 0, "red"}}, summarize(byTag))

	byKeyword := stepStatus(t, env, c, func(r *execute.GetStepInstanceStatusRequest) { r.Keyword = "needle" })
	require.Equal(t, []group{{9, 1, 1, "green"}, {104, 2, 2, "red"}}, summarize(byKeyword))

	byIP := stepStatus(t, env, c, func(r *execute.GetStepInstanceStatusRequest) { r.SearchIP = executetest.HostIP(5) })
	require.Equal(t, []group{{104, 1, 1, "red"}}, summarize(byIP))
}

func testPushConfigFile(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	c, err := env.Engine.PushConfigFile(ctx, execute.PushConfigFileRequest{ScopeRef: scope, AccountAlias: "root",
		FileTargetPath: "/tmp/cfg", FileList: []execute.ConfigFile{{FileName: "a.conf", Content: b64("key=value\n")}},
		TargetServer: &execute.Server{HostIDList: hosts}})
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Equal(t, execute.StepTypeFile, st.StepInstanceList[0].Type)
	starts := env.Transport.Starts()
	require.Len(t, starts, 1)
	task := starts[0].File
	require.Equal(t, "/tmp/cfg", task.TargetDir)
	require.Len(t, task.Sources, 1)
	require.Equal(t, "a.conf", task.Sources[0].Name)
	r, _, err := env.Blob.Get(ctx, task.Sources[0].BlobKey)
	require.NoError(t, err)
	body, err := io.ReadAll(r)
	require.NoError(t, r.Close())
	require.NoError(t, err)
	require.Equal(t, "key=value\n", string(body))

	logs, err := env.Engine.BatchGetHostLogs(ctx, execute.BatchGetHostLogsRequest{StepRef: execute.StepRef{ScopeRef: scope,
		JobInstanceID: c.JobInstanceID, StepInstanceID: c.StepInstanceID}, HostIDList: hosts})
	require.NoError(t, err)
	require.Equal(t, execute.LogTypeFile, logs.LogType)
	require.Len(t, logs.FileTaskLogs, 2)
	require.Len(t, logs.FileTaskLogs[0].FileLogs, 1)
	require.Equal(t, "/tmp/cfg/a.conf", logs.FileTaskLogs[0].FileLogs[0].DestPath)
	require.Equal(t, gse.FileStatusFinished, logs.FileTaskLogs[0].FileLogs[0].Status)
}

func testFileToTwoHosts(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 3)
	c, err := env.Engine.FastTransferFile(ctx, execute.FastTransferFileRequest{ScopeRef: scope, AccountAlias: "root",
		FileTargetPath: "/data", FileSourceList: []execute.FileSourceSpec{{FileList: []string{"/etc/hosts"},
			Account: &execute.AccountRef{Alias: "root"}, Server: &execute.Server{HostIDList: hosts[:1]}}},
		TargetServer: &execute.Server{HostIDList: hosts[1:]}, UploadSpeedLimit: 2})
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Equal(t, map[int64]int{2: 9, 3: 9}, hostStatuses(st))
	task := env.Transport.Starts()[0].File
	require.Equal(t, []int64{2, 3}, env.Transport.Starts()[0].Hosts)
	require.Equal(t, int64(1), task.Sources[0].Host.ID)
	require.Equal(t, "/etc/hosts", task.Sources[0].Path)
	require.Equal(t, "hosts", task.Sources[0].Name)
	require.Equal(t, int64(2<<20), task.UploadLimit)
	require.Equal(t, 2, task.Mode)

	// a target's log has its download, then the source host's upload
	l, err := env.Engine.GetHostLog(ctx, execute.GetHostLogRequest{StepRef: execute.StepRef{ScopeRef: scope,
		JobInstanceID: c.JobInstanceID, StepInstanceID: c.StepInstanceID}, HostID: 2})
	require.NoError(t, err)
	require.Equal(t, execute.LogTypeFile, l.LogType)
	require.Len(t, l.FileLogs, 2)
	require.Equal(t, 1, l.FileLogs[0].Mode)
	require.Equal(t, "/data/hosts", l.FileLogs[0].DestPath)
	require.Equal(t, 0, l.FileLogs[1].Mode)
	require.Equal(t, "/etc/hosts", l.FileLogs[1].SrcPath)
	require.Equal(t, &execute.LogIP{HostID: 1, IP: executetest.HostIP(1)}, l.FileLogs[1].SrcIP)
	require.Nil(t, l.FileLogs[1].DestIP)
	require.Equal(t, &execute.LogIP{HostID: 2, IP: executetest.HostIP(2)}, l.FileLogs[0].DestIP)
}

func testCallback(t *testing.T, b executetest.Backend) {
	type call struct {
		contentType string
		body        []byte
	}
	var mu sync.Mutex
	var calls []call
	fails := 1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, call{r.Header.Get("Content-Type"), b})
		if fails > 0 {
			fails--
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	env := executetest.NewEnv(t, executetest.WithBackend(b), executetest.WithCallbackAllowlist(srv.URL),
		executetest.WithCallbackAllowPrivate())
	hosts := executetest.AddHosts(t, env.DB, 1, 1)
	req := scriptReq(hosts...)
	req.CallbackURL = srv.URL + "/done"
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(calls) == 2 }, 5*time.Second, 10*time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, "application/json", calls[0].contentType)
	var body struct {
		JobInstanceID    int64 `json:"job_instance_id"`
		Status           int   `json:"status"`
		StepInstanceList []struct {
			StepInstanceID int64 `json:"step_instance_id"`
			Status         int   `json:"status"`
		} `json:"step_instance_list"`
	}
	require.NoError(t, json.Unmarshal(calls[0].body, &body))
	require.Equal(t, c.JobInstanceID, body.JobInstanceID)
	require.Equal(t, 3, body.Status)
	require.Len(t, body.StepInstanceList, 1)
	require.Equal(t, c.StepInstanceID, body.StepInstanceList[0].StepInstanceID)
	require.Equal(t, "application/x-www-form-urlencoded", calls[1].contentType, "one retry, in the older form encoding")

	req.CallbackURL = "http://elsewhere.invalid/cb"
	_, err = env.Engine.FastExecuteScript(ctx, req)
	require.ErrorContains(t, err, "callback_url")
}

// testSkipWhileStopping: hosts that ignore the terminate keep the step
// STOPPING; skip (12) moves the job on, and the engine ends the deaf hosts
// itself after the stop grace.
func testSkipWhileStopping(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	env.Transport.Behave = func(executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{"stubborn\n"}, Hold: true, Deaf: true}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitHostsRunning(t, env, c, 2)
	require.ErrorIs(t, operateStep(t, env, c, execute.StepOpSkip), execute.ErrOperationNotAllowed, "skip needs a stopping step")
	_, err = env.Engine.OperateJobInstance(ctx, execute.OperateJobInstanceRequest{
		JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID}, OperationCode: execute.JobOpTerminate})
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusStopping)
	require.Equal(t, execute.StatusStopping, st.StepInstanceList[0].Status)
	require.NoError(t, operateStep(t, env, c, execute.StepOpSkip))
	st = waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	require.Equal(t, execute.StatusSkipped, st.StepInstanceList[0].Status)
	require.Eventually(t, func() bool {
		st := waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
		return hostStatuses(st)[1] == gse.HostStatusTerminateSuccess && hostStatuses(st)[2] == gse.HostStatusTerminateSuccess
	}, 30*time.Second, 50*time.Millisecond, "deaf hosts end as terminated after the stop grace")
}

// testTimeoutWatchdog: hosts that never report are ended by the engine once
// the timeout plus its grace has passed.
func testTimeoutWatchdog(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		if r.Host.ID == 2 {
			return executetest.Outcome{Hold: true, Deaf: true}
		}
		return executetest.Outcome{}
	}
	req := scriptReq(hosts...)
	one := 1
	req.Timeout = &one
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	require.Equal(t, map[int64]int{1: gse.HostStatusSuccess, 2: gse.HostStatusTaskTimeout}, hostStatuses(st))
}
