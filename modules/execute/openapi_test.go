package execute_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/platform/httpx"
)

type envelope struct {
	Result  bool            `json:"result"`
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
	ID      string          `json:"job_request_id"`
}

type api struct {
	t    *testing.T
	e    *echo.Echo
	env  *executetest.Env
	anon bool
}

// newAPI mounts the handlers on the engine itself, or (remote) on a bus
// client of it, as a gateway in another process would.
func newAPI(t *testing.T, remote bool) *api {
	env := executetest.NewEnv(t)
	executetest.AddHosts(t, env.DB, 1, 3)
	a := &api{t: t, e: echo.New(), env: env}
	var svc execute.Service = env.Engine
	if remote {
		require.NoError(t, execute.Serve(env.Bus, env.Engine))
		svc = execute.NewClient(env.PeerBus(t))
	}
	g := a.e.Group("/api/v3", func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !a.anon {
				httpx.SetActor(c, httpx.Actor{Username: "alice", AppCode: "ci", AllScopes: true})
			}
			return next(c)
		}
	})
	execute.RegisterV3(g, svc, env.Manage)
	return a
}

// do sends body (a JSON-able value; nil for none) and decodes the envelope.
func (a *api) do(method, path string, body any) (int, envelope, string) {
	a.t.Helper()
	var rd *strings.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(a.t, err)
		rd = strings.NewReader(string(b))
	} else {
		rd = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	var env envelope
	require.NoError(a.t, json.Unmarshal(rec.Body.Bytes(), &env), rec.Body.String())
	return rec.Code, env, rec.Body.String()
}

func (a *api) ok(method, path string, body, data any) string {
	a.t.Helper()
	code, env, raw := a.do(method, path, body)
	require.Equal(a.t, http.StatusOK, code)
	require.True(a.t, env.Result, raw)
	require.Zero(a.t, env.Code)
	if data != nil {
		require.NoError(a.t, json.Unmarshal(env.Data, data))
	}
	return raw
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func script(mod func(m map[string]any)) map[string]any {
	m := map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "script_content": b64("echo hi"),
		"script_language": 1, "account_alias": "root", "target_server": map[string]any{"host_id_list": []int{1, 2}}}
	if mod != nil {
		mod(m)
	}
	return m
}

func TestV3Flow(t *testing.T) {
	for _, remote := range []bool{false, true} {
		t.Run(fmt.Sprintf("remote=%v", remote), func(t *testing.T) { testV3Flow(t, remote) })
	}
}

func testV3Flow(t *testing.T, remote bool) {
	a := newAPI(t, remote)
	var created execute.JobCreated
	a.ok("POST", "/api/v3/fast_execute_script/", script(func(m map[string]any) {
		m["script_param"] = b64("a b")
		m["target_server"] = map[string]any{"host_id_list": []int{1}, "ip_list": []map[string]any{{"bk_cloud_id": 0, "ip": executetest.HostIP(2)}}}
	}), &created)
	require.Positive(t, created.JobInstanceID)
	require.True(t, strings.HasPrefix(created.JobInstanceName, "API Quick execution script"))

	q := fmt.Sprintf("bk_scope_type=biz&bk_scope_id=1&job_instance_id=%d&step_instance_id=%d", created.JobInstanceID, created.StepInstanceID)
	var st execute.JobInstanceStatus
	require.Eventually(t, func() bool {
		a.ok("GET", "/api/v3/get_job_instance_status?return_ip_result=true&"+q, nil, &st)
		return st.Finished
	}, 30*time.Second, 25*time.Millisecond)
	require.Equal(t, execute.StatusSuccess, st.JobInstance.Status)
	require.Len(t, st.StepInstanceList[0].StepIPResultList, 2)

	// the deprecated bk_biz_id works too, and POST reads the same parameters
	var st2 execute.JobInstanceStatus
	a.ok("POST", "/api/v3/get_job_instance_status", map[string]any{"bk_biz_id": 1, "job_instance_id": created.JobInstanceID}, &st2)
	require.Equal(t, st.JobInstance, st2.JobInstance)

	var groups execute.StepInstanceStatus
	a.ok("GET", "/api/v3/get_step_instance_status?max_host_num_per_group=1&"+q, nil, &groups)
	require.Len(t, groups.StepResultGroupList, 1)
	require.Equal(t, 2, groups.StepResultGroupList[0].HostSize)
	require.Len(t, groups.StepResultGroupList[0].HostResultList, 1)

	var log execute.HostLog
	a.ok("GET", "/api/v3/get_job_instance_ip_log?bk_cloud_id=0&ip="+executetest.HostIP(2)+"&"+q, nil, &log)
	require.Equal(t, int64(2), log.HostID)
	require.Equal(t, "hello\n", log.LogContent)

	var logs execute.BatchHostLogs
	a.ok("POST", "/api/v3/batch_get_job_instance_ip_log", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1",
		"job_instance_id": created.JobInstanceID, "step_instance_id": created.StepInstanceID, "host_id_list": []int{1, 2}}, &logs)
	require.Len(t, logs.ScriptTaskLogs, 2)

	var detail execute.StepInstanceDetail
	a.ok("GET", "/api/v3/get_step_instance_detail?"+q, nil, &detail)
	require.Equal(t, "echo hi", detail.ScriptInfo.ScriptContent)
	require.Equal(t, "a b", detail.ScriptInfo.ScriptParam)
	require.Len(t, detail.ScriptInfo.Server.IPList, 2)

	var page execute.JobInstancePage
	now := time.Now().UnixMilli()
	a.ok("GET", fmt.Sprintf("/api/v3/get_job_instance_list?bk_scope_type=biz&bk_scope_id=1&create_time_start=%d&create_time_end=%d&ip=%s&length=5",
		now-60000, now+60000, executetest.HostIP(1)), nil, &page)
	require.Equal(t, 1, page.Total)
	require.Equal(t, "alice", page.Data[0].Operator)
	require.Equal(t, execute.StartupAPI, page.Data[0].LaunchMode)

	var vars execute.JobGlobalVarValues
	a.ok("GET", "/api/v3/get_job_instance_global_var_value?"+q, nil, &vars)
	require.Len(t, vars.StepInstanceVarList, 1)

	var agents execute.AgentInfoList
	a.env.Transport.SetAlive(false, 3)
	a.ok("POST", "/api/v3/query_agent_info", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "host_id_list": []int{1, 3, 77}}, &agents)
	require.Equal(t, []execute.AgentInfo{{HostID: 1, Status: 1, Version: "fake-1"}, {HostID: 3, Status: 0, Version: "fake-1"}}, agents.AgentInfoList)

	var plan execute.RollingPlan
	a.ok("POST", "/api/v3/rolling_preview", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "expression": "1 +1",
		"target_server": map[string]any{"host_id_list": []int{1, 2, 3}}}, &plan)
	require.Len(t, plan.Batches, 2)
	require.Equal(t, 2, plan.Batches[1].HostCount)

	// a finished job cannot be terminated; the step can be retried
	_, env, _ := a.do("POST", "/api/v3/operate_job_instance", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1",
		"job_instance_id": created.JobInstanceID, "operation_code": 1})
	require.False(t, env.Result)
	require.NotZero(t, env.Code)
}

// TestV3BadInput: each bad request gets result false, a non-zero code, a
// message naming the field, and creates nothing.
func TestV3BadInput(t *testing.T) {
	for _, remote := range []bool{false, true} {
		t.Run(fmt.Sprintf("remote=%v", remote), func(t *testing.T) { testV3BadInput(t, remote) })
	}
}

func testV3BadInput(t *testing.T, remote bool) {
	a := newAPI(t, remote)
	big := strings.Repeat("x", 64*1024+1)
	tests := []struct {
		name  string
		path  string
		body  map[string]any
		field string
	}{
		{"missing target", "fast_execute_script", script(func(m map[string]any) { delete(m, "target_server") }), "target_server"},
		{"empty target", "fast_execute_script", script(func(m map[string]any) { m["target_server"] = map[string]any{} }), "target_server"},
		{"bad base64", "fast_execute_script", script(func(m map[string]any) { m["script_content"] = "%%%not base64" }), "script_content"},
		{"empty script", "fast_execute_script", script(func(m map[string]any) { m["script_content"] = b64("  ") }), "script_content"},
		{"unknown scope", "fast_execute_script", script(func(m map[string]any) { m["bk_scope_id"] = "999" }), "bk_scope_id"},
		{"bad scope type", "fast_execute_script", script(func(m map[string]any) { m["bk_scope_type"] = "planet" }), "bk_scope_type"},
		{"no scope", "fast_execute_script", script(func(m map[string]any) { delete(m, "bk_scope_type"); delete(m, "bk_scope_id") }), "bk_scope_id"},
		{"timeout zero", "fast_execute_script", script(func(m map[string]any) { m["timeout"] = 0 }), "timeout"},
		{"timeout too long", "fast_execute_script", script(func(m map[string]any) { m["timeout"] = 259201 }), "timeout"},
		{"timeout not a number", "fast_execute_script", script(func(m map[string]any) { m["timeout"] = "soon" }), "timeout"},
		{"unknown account", "fast_execute_script", script(func(m map[string]any) { m["account_alias"] = "nobody" }), "account_alias"},
		{"unknown account id", "fast_execute_script", script(func(m map[string]any) { m["account_id"] = 42 }), "account_id"},
		{"no account", "fast_execute_script", script(func(m map[string]any) { delete(m, "account_alias") }), "account_alias"},
		{"oversize param", "fast_execute_script", script(func(m map[string]any) { m["script_param"] = b64(big) }), "script_param"},
		{"oversize sensitive param", "fast_execute_script", script(func(m map[string]any) {
			m["script_param"] = b64(strings.Repeat("x", 47*1024+1))
			m["is_param_sensitive"] = 1
		}), "script_param"},
		{"bad param base64", "fast_execute_script", script(func(m map[string]any) { m["script_param"] = "!!" }), "script_param"},
		{"long task name", "fast_execute_script", script(func(m map[string]any) { m["task_name"] = strings.Repeat("n", 513) }), "task_name"},
		{"bad language", "fast_execute_script", script(func(m map[string]any) { m["script_language"] = 9 }), "script_language"},
		{"sql language", "fast_execute_script", script(func(m map[string]any) { m["script_language"] = 6 }), "script_language"},
		{"bad ip", "fast_execute_script", script(func(m map[string]any) {
			m["target_server"] = map[string]any{"ip_list": []map[string]any{{"bk_cloud_id": 0, "ip": "999.1.1.1"}}}
		}), "target_server.ip_list[0].ip"},
		{"bad host id", "fast_execute_script", script(func(m map[string]any) { m["target_server"] = map[string]any{"host_id_list": []int{-4}} }), "target_server.host_id_list[0]"},
		{"dynamic group", "fast_execute_script", script(func(m map[string]any) {
			m["target_server"] = map[string]any{"dynamic_group_list": []map[string]any{{"id": "x"}}}
		}), "target_server.dynamic_group_list"},
		{"topo node", "fast_execute_script", script(func(m map[string]any) {
			m["target_server"] = map[string]any{"host_id_list": []int{1}, "topo_node_list": []map[string]any{{"id": 1, "node_type": "set"}}}
		}), "target_server.topo_node_list"},
		{"script version", "fast_execute_script", script(func(m map[string]any) { m["script_version_id"] = 3 }), "script_version_id"},
		{"script id", "fast_execute_script", script(func(m map[string]any) { m["script_id"] = "abc" }), "script_id"},
		{"host passwords", "fast_execute_script", script(func(m map[string]any) {
			m["host_password_list"] = []map[string]any{{"host_id": 1, "encrypted_password": "x"}}
		}), "host_password_list"},
		{"bad rolling expression", "fast_execute_script", script(func(m map[string]any) {
			m["rolling_config"] = map[string]any{"expression": "1 x", "mode": 1}
		}), "rolling_config.expression"},
		{"bad rolling mode", "fast_execute_script", script(func(m map[string]any) {
			m["rolling_config"] = map[string]any{"expression": "1", "mode": 7}
		}), "rolling_config.mode"},
		{"rolling too many batches", "fast_execute_script", script(func(m map[string]any) {
			ids := make([]int, 501)
			for i := range ids {
				ids[i] = 1000 + i
			}
			m["target_server"] = map[string]any{"host_id_list": ids}
			m["rolling_config"] = map[string]any{"expression": "1", "mode": 1}
		}), "rolling_config.expression"},
		{"bad callback", "fast_execute_script", script(func(m map[string]any) { m["callback_url"] = "ftp://x" }), "callback_url"},
		{"callback userinfo", "fast_execute_script", script(func(m map[string]any) {
			m["callback_url"] = "http://hooks.example.com@127.0.0.1:18998/"
		}), "callback_url"},
		{"callback metadata", "fast_execute_script", script(func(m map[string]any) {
			m["callback_url"] = "http://169.254.169.254/latest/meta-data/"
		}), "callback_url"},
		{"sensitive flag", "fast_execute_script", script(func(m map[string]any) { m["is_param_sensitive"] = 2 }), "is_param_sensitive"},
		{"push bad base64", "push_config_file", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "account_alias": "root",
			"file_target_path": "/tmp", "file_list": []map[string]any{{"file_name": "a", "content": "@@"}},
			"target_server": map[string]any{"host_id_list": []int{1}}}, "file_list[0].content"},
		{"push no account", "push_config_file", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1",
			"file_target_path": "/tmp", "file_list": []map[string]any{{"file_name": "a", "content": b64("x")}},
			"target_server": map[string]any{"host_id_list": []int{1}}}, "account_alias"},
		{"push bad name", "push_config_file", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "account_alias": "root",
			"file_target_path": "/tmp", "file_list": []map[string]any{{"file_name": "../etc/passwd", "content": b64("x")}},
			"target_server": map[string]any{"host_id_list": []int{1}}}, "file_list[0].file_name"},
		{"push relative path", "push_config_file", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "account_alias": "root",
			"file_target_path": "tmp", "file_list": []map[string]any{{"file_name": "a", "content": b64("x")}},
			"target_server": map[string]any{"host_id_list": []int{1}}}, "file_target_path"},
		{"push dotdot path", "push_config_file", pushTo("/tmp/../etc"), "file_target_path"},
		{"push dotdot tail", "push_config_file", pushTo("/tmp/x/.."), "file_target_path"},
		{"push windows dotdot", "push_config_file", pushTo(`C:\data\..\Windows`), "file_target_path"},
		{"file dotdot path", "fast_transfer_file", transferTo("/data/../../etc"), "file_target_path"},
		{"file relative path", "fast_transfer_file", transferTo("data/app"), "file_target_path"},
		{"file dot relative path", "fast_transfer_file", transferTo("../data"), "file_target_path"},
		{"push missing target", "push_config_file", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "account_alias": "root",
			"file_target_path": "/tmp", "file_list": []map[string]any{{"file_name": "a", "content": b64("x")}}}, "target_server"},
		{"file no target path", "fast_transfer_file", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "account_alias": "root",
			"file_source_list": []map[string]any{{"file_list": []string{"/a"}, "account": map[string]any{"alias": "root"},
				"server": map[string]any{"host_id_list": []int{1}}}}, "target_server": map[string]any{"host_id_list": []int{2}}}, "file_target_path"},
		{"file third-party source", "fast_transfer_file", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "account_alias": "root",
			"file_target_path": "/tmp", "file_source_list": []map[string]any{{"file_list": []string{"b/c"}, "file_type": 3, "file_source_id": 1}},
			"target_server": map[string]any{"host_id_list": []int{2}}}, "file_source_list[0].file_type"},
		{"file source account", "fast_transfer_file", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "account_alias": "root",
			"file_target_path": "/tmp", "file_source_list": []map[string]any{{"file_list": []string{"/a"}, "account": map[string]any{"alias": "ghost"},
				"server": map[string]any{"host_id_list": []int{1}}}}, "target_server": map[string]any{"host_id_list": []int{2}}}, "file_source_list[0].account.alias"},
		{"file unknown source host", "fast_transfer_file", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "account_alias": "root",
			"file_target_path": "/tmp", "file_source_list": []map[string]any{{"file_list": []string{"/a"}, "account": map[string]any{"alias": "root"},
				"server": map[string]any{"host_id_list": []int{404}}}}, "target_server": map[string]any{"host_id_list": []int{2}}}, "file_source_list[0].server"},
		{"file bad mode", "fast_transfer_file", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "account_alias": "root",
			"file_target_path": "/tmp", "transfer_mode": 9, "file_source_list": []map[string]any{{"file_list": []string{"/a"}, "account": map[string]any{"alias": "root"},
				"server": map[string]any{"host_id_list": []int{1}}}}, "target_server": map[string]any{"host_id_list": []int{2}}}, "transfer_mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, env, raw := a.do("POST", "/api/v3/"+tt.path, tt.body)
			require.Equal(t, http.StatusOK, code)
			require.False(t, env.Result, raw)
			require.NotZero(t, env.Code, raw)
			require.Contains(t, env.Message, tt.field, raw)
			require.NotEmpty(t, env.ID)
		})
	}
	var n int64
	require.NoError(t, a.env.DB.Table("task_instance").Count(&n).Error)
	require.Zero(t, n, "bad input creates nothing")
	for path, body := range map[string]map[string]any{"push_config_file": pushTo("/tmp/a..b/./c"), "fast_transfer_file": transferTo("/data/..x")} {
		_, env, raw := a.do("POST", "/api/v3/"+path, body)
		require.True(t, env.Result, "only the target path made the cases above bad: %s", raw)
	}
}

// pushTo is a valid push_config_file body with the given target path.
func pushTo(target string) map[string]any {
	return map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "account_alias": "root",
		"file_target_path": target, "file_list": []map[string]any{{"file_name": "a", "content": b64("x")}},
		"target_server": map[string]any{"host_id_list": []int{1}}}
}

// transferTo is a valid fast_transfer_file body with the given target path.
func transferTo(target string) map[string]any {
	return map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "account_alias": "root",
		"file_target_path": target, "file_source_list": []map[string]any{{"file_list": []string{"/a"}, "account": map[string]any{"alias": "root"},
			"server": map[string]any{"host_id_list": []int{1}}}}, "target_server": map[string]any{"host_id_list": []int{2}}}
}

func TestV3QueryErrors(t *testing.T) {
	a := newAPI(t, false)
	tests := []struct {
		path  string
		field string
	}{
		{"get_job_instance_status?bk_scope_type=biz&bk_scope_id=1", "job_instance_id"},
		{"get_job_instance_status?bk_scope_type=biz&bk_scope_id=1&job_instance_id=abc", "job_instance_id"},
		{"get_job_instance_status?bk_scope_type=biz&bk_scope_id=1&job_instance_id=12345", "job_instance_id"},
		{"get_job_instance_status?bk_scope_type=biz&bk_scope_id=1&job_instance_id=1&return_ip_result=maybe", "return_ip_result"},
		{"get_job_instance_list?bk_scope_type=biz&bk_scope_id=1&create_time_end=5", "create_time_start"},
		{"get_job_instance_list?bk_scope_type=biz&bk_scope_id=1&create_time_start=5&create_time_end=9&length=5000", "length"},
		{"get_step_instance_status?bk_scope_type=biz&bk_scope_id=1&job_instance_id=1", "job_instance_id"},
		{"fast_execute_script?bk_scope_type=biz&bk_scope_id=1&target_server=1", "accepts POST only"},
		{"operate_job_instance?bk_scope_type=biz&bk_scope_id=1&job_instance_id=1&operation_code=7", "accepts POST only"},
		{"operate_step_instance?bk_scope_type=biz&bk_scope_id=1&job_instance_id=1&step_instance_id=1&operation_code=5", "accepts POST only"},
		{"query_agent_info?bk_scope_type=biz&bk_scope_id=1", "accepts POST only"},
		{"rolling_preview?bk_scope_type=biz&bk_scope_id=1&expression=0", "expression"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, env, raw := a.do("GET", "/api/v3/"+tt.path, nil)
			require.False(t, env.Result, raw)
			require.NotZero(t, env.Code)
			require.Contains(t, env.Message, tt.field, raw)
			if tt.field == "accepts POST only" { // bk-job serves it by POST alone: API_UNSUPPORTED
				require.Equal(t, 1239003, env.Code, raw)
			}
		})
	}

	_, env, raw := a.do("POST", "/api/v3/get_job_instance_status", "not an object")
	require.False(t, env.Result)
	require.Contains(t, env.Message, "body", raw)

	a.anon = true
	code, env, _ := a.do("GET", "/api/v3/get_job_instance_status?bk_scope_type=biz&bk_scope_id=1&job_instance_id=1", nil)
	require.Equal(t, http.StatusUnauthorized, code)
	require.False(t, env.Result)
}

// TestV3SensitiveParam: a sensitive script parameter never appears in any response.
func TestV3SensitiveParam(t *testing.T) {
	a := newAPI(t, false)
	const secret = "hunter2-topsecret"
	var created execute.JobCreated
	a.ok("POST", "/api/v3/fast_execute_script", script(func(m map[string]any) {
		m["script_param"] = b64(secret)
		m["is_param_sensitive"] = 1
	}), &created)
	q := fmt.Sprintf("bk_scope_type=biz&bk_scope_id=1&job_instance_id=%d&step_instance_id=%d", created.JobInstanceID, created.StepInstanceID)
	var bodies []string
	var st execute.JobInstanceStatus
	require.Eventually(t, func() bool {
		bodies = append(bodies, a.ok("GET", "/api/v3/get_job_instance_status?return_ip_result=true&"+q, nil, &st))
		return st.Finished
	}, 30*time.Second, 25*time.Millisecond)
	require.Equal(t, secret, a.env.Transport.Starts()[0].Script.Params, "the host still gets it")
	var detail execute.StepInstanceDetail
	bodies = append(bodies, a.ok("GET", "/api/v3/get_step_instance_detail?"+q, nil, &detail))
	require.Equal(t, "******", detail.ScriptInfo.ScriptParam)
	require.Equal(t, 1, detail.ScriptInfo.IsParamSensitive)
	bodies = append(bodies, a.ok("GET", "/api/v3/get_step_instance_status?"+q, nil, nil))
	bodies = append(bodies, a.ok("GET", "/api/v3/get_job_instance_ip_log?host_id=1&"+q, nil, nil))
	bodies = append(bodies, a.ok("GET", "/api/v3/get_job_instance_global_var_value?"+q, nil, nil))
	for _, b := range bodies {
		require.NotContains(t, b, secret)
		require.NotContains(t, b, b64(secret))
	}
}
