package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLanguage drives the v3 API on the built binary in each way a caller
// names its language: the envelope's message (success and several rows of
// the code table) and a status answer's *_desc fields are English by
// default and for an unknown or garbage language, Simplified Chinese for
// Accept-Language zh-CN or bk-job's blueking_language cookie, and the
// cookie wins over Accept-Language.
func TestLanguage(t *testing.T) {
	c := StartCluster(t)
	agent := StartAgent(t, c, "127.0.0.91", AgentOptions{})
	job := c.runScript(t, "echo hello", []target{agent}, nil)
	require.Equal(t, runSuccess, c.waitJob(t, job.JobInstanceID, time.Minute).JobInstance.Status)
	insertPrincipals(t, c.DataDir) // app "ops": authenticated, granted no scope

	langs := []struct {
		name    string
		headers map[string]string
		zh      bool
	}{
		{"none", nil, false},
		{"Accept-Language en", map[string]string{"Accept-Language": "en-US,en;q=0.9"}, false},
		{"Accept-Language zh-CN", map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}, true},
		{"Accept-Language by q-value", map[string]string{"Accept-Language": "en;q=0.3, zh;q=0.8"}, true},
		{"cookie zh-cn", map[string]string{"Cookie": "blueking_language=zh-cn"}, true},
		{"cookie zh_CN over Accept-Language en", map[string]string{"Cookie": "blueking_language=zh_CN", "Accept-Language": "en"}, true},
		{"cookie en over Accept-Language zh-CN", map[string]string{"Cookie": "blueking_language=en", "Accept-Language": "zh-CN"}, false},
		{"Blueking-Language header", map[string]string{"Blueking-Language": "zh-cn"}, true},
		{"unknown language", map[string]string{"Accept-Language": "fr-FR,de;q=0.9", "Cookie": "blueking_language=ja"}, false},
		{"garbage", map[string]string{"Accept-Language": ";;q=,,=;q=NaN,zz-;q=1e9", "Cookie": "blueking_language=%00%ff"}, false},
		{"huge Accept-Language", map[string]string{"Accept-Language": strings.Repeat("fr;q=0.5,", 20000) + "zh-CN"}, false},
	}

	ops := http.Header{"X-Bkapi-Authorization": {`{"bk_app_code":"ops","bk_app_secret":"ops-secret"}`}}
	now := time.Now().UnixMilli()
	type want struct {
		exact, prefix string
	}
	rows := []struct {
		row, name string
		body      any
		auth      http.Header // nil: the cluster's app; empty: no credentials
		status    int
		code      int
		en, zh    want
	}{
		{"success", "get_job_instance_list", scope(map[string]any{"create_time_start": now - 3600_000, "create_time_end": now + 60_000}), nil, 200, 0,
			want{exact: "success"}, want{exact: "成功"}},
		{"required", "operate_job_instance", scope(map[string]any{"operation_code": 1}), nil, 200, 1241004,
			want{prefix: "job_instance_id: is required"}, want{exact: "请求参数[job_instance_id]缺失"}},
		{"invalid", "get_job_instance_list", scope(map[string]any{"create_time_start": now - 1000, "create_time_end": now, "length": 5000}), nil, 200, 1241010,
			want{prefix: "length: "}, want{prefix: "请求参数[length]不合法，原因："}},
		{"not found", "get_job_instance_status", scope(map[string]any{"job_instance_id": 987654321}), nil, 200, 1244006,
			want{prefix: "job_instance_id: "}, want{exact: "作业实例不存在"}},
		{"operation not allowed", "operate_job_instance", scope(map[string]any{"job_instance_id": job.JobInstanceID, "operation_code": 1}), nil, 200, 1241003,
			want{prefix: "cannot terminate the job: it has already ended"}, want{prefix: "不支持的操作：cannot terminate the job: it has already ended"}},
		{"permission denied", "get_job_instance_status", scope(map[string]any{"job_instance_id": job.JobInstanceID}), ops, 200, 1238001,
			want{prefix: "app ops has no permission"}, want{exact: "用户(ops)权限不足，请申请权限后重试"}},
		{"unknown endpoint", "no_such_endpoint", map[string]any{}, nil, 200, 1239003,
			want{prefix: "unsupported API"}, want{prefix: "不支持的API：unsupported API"}},
		{"unauthorized", "get_job_instance_list", scope(nil), http.Header{}, 401, 1240005,
			want{prefix: "header X-Bkapi-Authorization"}, want{prefix: "服务认证失败：header X-Bkapi-Authorization"}},
	}
	for _, l := range langs {
		t.Run(l.name, func(t *testing.T) {
			for _, r := range rows {
				auth := r.auth
				if auth == nil {
					auth = c.api.Header
				}
				status, env, raw := askV3(t, c, r.name, r.body, auth, l.headers)
				require.Equal(t, r.status, status, "%s: %s", r.row, raw)
				require.Equal(t, r.code, env.Code, "%s: %s", r.row, raw)
				w := r.en
				if l.zh {
					w = r.zh
				}
				if w.exact != "" {
					require.Equal(t, w.exact, env.Message, "%s: %s", r.row, raw)
				} else {
					require.True(t, strings.HasPrefix(env.Message, w.prefix), "%s: message %q does not start with %q", r.row, env.Message, w.prefix)
				}
			}

			var step struct {
				Groups []struct {
					ResultType     int    `json:"result_type"`
					ResultTypeDesc string `json:"result_type_desc"`
					Hosts          []struct {
						Status     int    `json:"status"`
						StatusDesc string `json:"status_desc"`
					} `json:"host_result_list"`
				} `json:"step_result_group_list"`
			}
			_, env, raw := askV3(t, c, "get_step_instance_status",
				scope(map[string]any{"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID}), c.api.Header, l.headers)
			require.True(t, env.Result, raw)
			require.NoError(t, json.Unmarshal(env.Data, &step), raw)
			require.Len(t, step.Groups, 1, raw)
			g := step.Groups[0]
			require.Equal(t, 9, g.ResultType, raw)
			desc := map[bool]string{false: "Succeeded", true: "执行成功"}[l.zh]
			require.Equal(t, desc, g.ResultTypeDesc, raw)
			require.Len(t, g.Hosts, 1, raw)
			require.Equal(t, desc, g.Hosts[0].StatusDesc, raw)
		})
	}
}

// askV3 POSTs body to /api/v3/<name> with auth and the language headers,
// and returns the HTTP status, the envelope and the raw body.
func askV3(t *testing.T, c *Cluster, name string, body any, auth http.Header, headers map[string]string) (int, envelope, string) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, c.URL+"/api/v3/"+name, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range auth {
		req.Header[k] = v
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var env envelope
	require.NoError(t, json.Unmarshal(raw, &env), string(raw))
	return resp.StatusCode, env, string(raw)
}
