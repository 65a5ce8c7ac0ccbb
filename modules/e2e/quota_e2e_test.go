package e2e

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
)

// quotaEnv turns the running-job quota on with the given limits.
func quotaEnv(capacity, scopeLimit, appLimit string) []string {
	return []string{"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__ENABLED=true", "BKJOB_EXECUTE__RUNNING_JOB_QUOTA__CAPACITY=" + capacity,
		"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__SCOPE_LIMIT=" + scopeLimit, "BKJOB_EXECUTE__RUNNING_JOB_QUOTA__APP_LIMIT=" + appLimit}
}

// refusedEnvelope POSTs body to /api/v3/<name> as api and returns the HTTP
// status and the envelope.
func refusedEnvelope(t *testing.T, api *API, name string, body any) (int, envelope) {
	t.Helper()
	resp, raw := api.do(t, http.MethodPost, "/api/v3/"+name, body)
	var env envelope
	require.NoError(t, json.Unmarshal(raw, &env), string(raw))
	require.False(t, env.Result, string(raw))
	return resp.StatusCode, env
}

// TestQuota runs bk-job's running-job quota on the built binary (capacity
// 2, one running job per app code): the app's second job is refused with
// 429 and 1244033, another app's fills the system, then every create call
// is refused with 429 and 1244032 — in English with the limit and count, in
// Chinese with the catalogue's sentence — and nothing is created; a
// terminated job frees its slot. Last, the gateway's throttling of a wrong
// app secret answers its own code, 1239008, not a quota code.
func TestQuota(t *testing.T) {
	c := StartCluster(t, append(quotaEnv("2", "2", "1"), "BKJOB_AUTH__MAX_FAILURES=3")...)
	agent := StartAgent(t, c, "127.0.0.57", AgentOptions{})
	insertApp(t, c.DataDir, "quota-b", "quota-b-secret")
	other := &API{Base: c.URL, Header: http.Header{"X-Bkapi-Authorization": {`{"bk_app_code":"quota-b","bk_app_secret":"quota-b-secret","bk_username":"admin"}`}}}
	hosts := []target{agent}

	first := c.runScript(t, "sleep 120", hosts, nil)
	status, env := refusedEnvelope(t, c.api, "fast_execute_script", scriptBody("echo refused", hosts, nil))
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Equal(t, 1244033, env.Code, env.Message)
	require.Contains(t, env.Message, `too many running jobs of app "e2e-app": 1 running, the limit is 1 (execute.running_job_quota.app_limit)`)

	resp, raw := other.do(t, http.MethodPost, "/api/v3/fast_execute_script", scriptBody("sleep 120", hosts, nil))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
	before := c.jobCount(t)
	require.Equal(t, 2, before)

	refusals := []struct {
		name string
		body map[string]any
	}{
		{"fast_execute_script", scriptBody("echo refused", hosts, nil)},
		{"push_config_file", scope(map[string]any{"account_alias": "root", "file_target_path": "/tmp/quota-e2e",
			"file_list":     []map[string]any{{"file_name": "a.conf", "content": b64("k=v\n")}},
			"target_server": map[string]any{"ip_list": ipList(hosts...)}})},
		{"fast_transfer_file", scope(map[string]any{"account_alias": "root", "file_target_path": "/tmp/quota-e2e",
			"file_source_list": []map[string]any{{"file_list": []string{"/etc/hostname"}, "account": map[string]any{"alias": "root"},
				"server": map[string]any{"ip_list": ipList(hosts...)}}},
			"target_server": map[string]any{"ip_list": ipList(hosts...)}})},
	}
	for _, api := range []*API{c.api, other} {
		for _, r := range refusals {
			status, env := refusedEnvelope(t, api, r.name, r.body)
			require.Equal(t, http.StatusTooManyRequests, status, "%s: %s", r.name, env.Message)
			require.Equal(t, 1244032, env.Code, "%s: %s", r.name, env.Message)
			require.Contains(t, env.Message, "too many running jobs in the system: 2 running, the limit is 2 (execute.running_job_quota.capacity)", r.name)
		}
	}
	zh := &API{Base: c.URL, Header: http.Header{"Accept-Language": {"zh-CN"}}}
	for k, v := range other.Header {
		zh.Header[k] = v
	}
	status, env = refusedEnvelope(t, zh, "fast_execute_script", scriptBody("echo refused", hosts, nil))
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Equal(t, 1244032, env.Code)
	require.Contains(t, env.Message, "当前正在执行的作业总量超过系统配额限制：")
	require.Contains(t, env.Message, "2 running, the limit is 2")
	require.Equal(t, before, c.jobCount(t), "a refused job is not created")

	c.waitFor(t, first.JobInstanceID, "running", time.Minute, func(st jobStatus) bool { return st.JobInstance.Status == runRunning })
	c.v3(t, "operate_job_instance", scope(map[string]any{"job_instance_id": first.JobInstanceID, "operation_code": 1}))
	require.Equal(t, runStopSuccess, c.waitJob(t, first.JobInstanceID, time.Minute).JobInstance.Status)
	again := c.runScript(t, "echo after", hosts, nil)
	require.Equal(t, runSuccess, c.waitJob(t, again.JobInstanceID, time.Minute).JobInstance.Status, "the terminated job's slot is free again")

	// The gateway's own throttling: auth.max_failures (3) wrong secrets
	// lock the app; the next call is 429 with API_OVER_LOAD.
	intruder := &API{Base: c.URL, Header: http.Header{"X-Bkapi-Authorization": {`{"bk_app_code":"quota-b","bk_app_secret":"wrong"}`}}}
	for range 3 {
		status, env := refusedEnvelope(t, intruder, "fast_execute_script", scriptBody("echo x", hosts, nil))
		require.Equal(t, http.StatusUnauthorized, status)
		require.Equal(t, 1240005, env.Code)
	}
	resp, raw = intruder.do(t, http.MethodPost, "/api/v3/fast_execute_script", scriptBody("echo x", hosts, nil))
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, string(raw))
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
	require.NoError(t, json.Unmarshal(raw, &env))
	require.Equal(t, 1239008, env.Code, "auth throttling is API_OVER_LOAD, not a quota code: %s", raw)
	require.NotContains(t, env.Message, "running jobs")
}

// TestQuotaScope: with scope_limit 1 the business's second job is refused
// with 429 and 1244034 whichever app asks.
func TestQuotaScope(t *testing.T) {
	c := StartCluster(t, quotaEnv("10", "1", "10")...)
	agent := StartAgent(t, c, "127.0.0.58", AgentOptions{})
	c.runScript(t, "sleep 120", []target{agent}, nil)
	status, env := refusedEnvelope(t, c.api, "fast_execute_script", scriptBody("echo refused", []target{agent}, nil))
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Equal(t, 1244034, env.Code, env.Message)
	require.Contains(t, env.Message, "too many running jobs in scope biz:1: 1 running, the limit is 1 (execute.running_job_quota.scope_limit)")
	require.Equal(t, 1, c.jobCount(t))
}

// insertApp adds an API app with access to every scope straight into the
// server's database (there is no app API yet).
func insertApp(t *testing.T, dataDir, code, secret string) {
	t.Helper()
	gdb, err := db.Open(context.Background(), config.DB{Driver: "sqlite", MaxOpenConns: 1}, dataDir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	defer func() { _ = db.Close(gdb) }()
	hash, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.MinCost)
	require.NoError(t, err)
	now := time.Now()
	require.NoError(t, gdb.Exec("INSERT INTO api_app (app_code, secret_hash, all_scopes, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		code, string(hash), true, true, now, now).Error)
}
