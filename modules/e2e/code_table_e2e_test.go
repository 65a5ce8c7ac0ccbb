package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/testenv"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
)

// codeRow is one row of docs/api.md's v3 code table, triggered by a request.
type codeRow struct {
	row, name, method string
	params            map[string]any
	// body, when set, is sent as it is instead of params.
	body string
	// auth: "" the cluster's app, "ops" an app granted no scope, "none" no
	// credentials at all.
	auth         string
	status, code int
	// byDoor: a door that answers otherwise, and why.
	byDoor map[string]codeWant
	// before brings the server to the state the row needs, once, before
	// its requests (the quota rows: each adds running jobs).
	before func(t *testing.T)
}

type codeWant struct {
	status, code int
	why          string
}

// codeAnswer is the envelope with the fields TestV3CodeTable's envelope
// leaves out.
type codeAnswer struct {
	envelope
	JobRequestID *string         `json:"job_request_id"`
	Permission   json.RawMessage `json:"permission"`
}

// TestCodeTableEveryPath triggers every row of docs/api.md's v3 code table
// that a request can reach, on the three paths bk-job's clients use
// (/api/v3/<name> with X-Bkapi-Authorization; the ESB path with the
// credentials in the body or query; the backend path /api/job/v3/<service>/<name>
// with X-Bkapi-JWT), in English and in Chinese: the code, the HTTP status,
// result, job_request_id, the message's language, and the permission
// object of 1238001. The running-job quota rows come last: each adds
// running jobs (the quota is on: 3 in all, 2 per app, 1 per business).
// Not here: the backend-unavailable rows (TestV3Backend*, TestReadyz*),
// 1240002 (no request makes an internal error on purpose), 1239008
// (locking an app or address out would refuse the other rows;
// modules/gateway TestESBSharesTheSecretLimits). The script library's
// other codes are TestV3Scripts'.
func TestCodeTableEveryPath(t *testing.T) {
	gw := testenv.NewGatewayKey(t)
	c := StartCluster(t, "BKJOB_API__GATEWAY_JWT_PUBLIC_KEY_FILE="+gw.PEMFile,
		"BKJOB_GSE__LOCAL_AGENT__ENABLED=true", "BKJOB_GSE__LOCAL_AGENT__IP=127.0.0.1", "BKJOB_ADMIN_PASSWORD=admin-pass",
		"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__ENABLED=true", "BKJOB_EXECUTE__RUNNING_JOB_QUOTA__CAPACITY=3",
		"BKJOB_EXECUTE__RUNNING_JOB_QUOTA__APP_LIMIT=2", "BKJOB_EXECUTE__RUNNING_JOB_QUOTA__SCOPE_LIMIT=1")
	require.Eventually(t, func() bool { return strings.Contains(c.Output.String(), `msg="agent connected" role=gse`) },
		60*time.Second, 50*time.Millisecond, "the built-in agent never connected")
	insertPrincipals(t, c.DataDir) // app "ops": authenticated, granted no scope
	local := []target{fixedIP("127.0.0.1")}
	job := c.runScript(t, "echo ok", local, nil)
	require.Equal(t, runSuccess, c.waitJob(t, job.JobInstanceID, time.Minute).JobInstance.Status)
	c.v3(t, "create_credential", scope(map[string]any{"name": "taken", "type": "PASSWORD", "credential_password": "x"}))

	paths := []string{"v3", "esb compapi", "backend jwt"}
	pick := func(ds []door) map[string]door {
		out := map[string]door{}
		for _, d := range ds {
			if slices.Contains(paths, d.name) {
				out[d.name] = d
			}
		}
		require.Len(t, out, len(paths))
		return out
	}
	doors := pick(c.doors(t, gw, backendService))
	opsDoors := pick(c.doorsAs(t, gw, backendService, "ops", "ops-secret"))

	now := time.Now().UnixMilli()
	window := func(extra map[string]any) map[string]any {
		p := scope(map[string]any{"create_time_start": now - 3600_000, "create_time_end": now + 60_000})
		for k, v := range extra {
			p[k] = v
		}
		return p
	}
	ids := map[string]any{"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID}
	rows := []codeRow{
		{row: "success", name: "get_job_instance_list", params: window(nil), status: 200, code: 0},
		{row: "required parameter missing", name: "operate_job_instance", params: scope(map[string]any{"operation_code": 1}), status: 200, code: 1241004},
		{row: "parameter of the wrong type", name: "get_job_instance_status", params: scope(map[string]any{"job_instance_id": []int{1}}), status: 200, code: 1241005},
		{row: "parameter invalid with a reason", name: "get_job_instance_list", params: window(map[string]any{"length": 5000}), status: 200, code: 1241010},
		{row: "body not JSON", name: "get_job_instance_list", body: "{", status: 200, code: 1239004,
			byDoor: map[string]codeWant{"esb compapi": {401, 1240005, "an ESB caller's credentials travel in the JSON body: a body that is not JSON carries none"}}},
		{row: "body over the size limit", name: "create_credential", params: scope(map[string]any{"name": "big", "type": "PASSWORD",
			"credential_password": "x", "description": strings.Repeat("x", 1<<20)}), status: 413, code: 1239004},
		{row: "parameter not supported yet", name: "fast_execute_script", params: scriptBody("echo x", local, map[string]any{
			"host_password_list": []map[string]any{{"host_id": 1, "encrypted_password": "x"}}}), status: 200, code: 1241011},
		{row: "unknown endpoint", name: "no_such_endpoint", params: scope(nil), status: 200, code: 1239003},
		{row: "GET on a POST-only endpoint", name: "fast_execute_script", method: http.MethodGet, params: scope(nil), status: 200, code: 1239003},
		{row: "job instance not found", name: "get_job_instance_status", params: scope(map[string]any{"job_instance_id": 987654321}), status: 200, code: 1244006},
		{row: "step instance not found", name: "get_step_instance_status",
			params: scope(map[string]any{"job_instance_id": job.JobInstanceID, "step_instance_id": 987654321}), status: 200, code: 1244007},
		{row: "account not found", name: "fast_execute_script",
			params: scriptBody("echo x", local, map[string]any{"account_alias": "no-such-account"}), status: 200, code: 1244003},
		{row: "credential not found", name: "get_credential_detail",
			params: scope(map[string]any{"id": "0123456789abcdef0123456789abcdef"}), status: 200, code: 1243048},
		{row: "script not found", name: "fast_execute_script",
			params: scriptBody("", local, map[string]any{"script_id": "0123456789abcdef0123456789abcdef"}), status: 200, code: 1243001},
		{row: "scope not found", name: "get_job_instance_list", params: window(map[string]any{"bk_scope_id": "999"}), status: 200, code: 1243051},
		{row: "host not a target of the step", name: "get_job_instance_ip_log",
			params: scope(merge(ids, map[string]any{"bk_cloud_id": 0, "ip": "10.0.0.99"})), status: 200, code: 1244002},
		{row: "operation not allowed in the current state", name: "operate_job_instance",
			params: scope(map[string]any{"job_instance_id": job.JobInstanceID, "operation_code": 1}), status: 200, code: 1241003},
		{row: "credential name taken", name: "create_credential",
			params: scope(map[string]any{"name": "taken", "type": "PASSWORD", "credential_password": "x"}), status: 200, code: 1243901},
		{row: "no permission", name: "get_job_instance_status", auth: "ops",
			params: scope(map[string]any{"job_instance_id": job.JobInstanceID}), status: 200, code: 1238001},
		{row: "app credentials missing", name: "get_job_instance_list", auth: "none", params: window(nil), status: 401, code: 1240005},
	}
	rows = append(rows, c.quotaRows(t, local)...)
	langs := []struct {
		name, accept string
		zh           bool
	}{{"en", "en-US,en;q=0.9", false}, {"zh", "zh-CN,zh;q=0.9", true}}

	for _, r := range rows {
		t.Run(r.row, func(t *testing.T) {
			if r.before != nil {
				r.before(t)
			}
			for _, path := range paths {
				for _, l := range langs {
					t.Run(path+"/"+l.name, func(t *testing.T) {
						d := doors[path]
						if r.auth == "ops" {
							d = opsDoors[path]
						}
						status, got, raw := c.askCodeRow(t, d, r, l.accept)
						want := codeWant{status: r.status, code: r.code}
						if w, ok := r.byDoor[path]; ok {
							want = w
						}
						require.Equal(t, want.status, status, raw)
						require.Equal(t, want.code, got.Code, raw)
						require.Equal(t, want.code == 0, got.Result, raw)
						require.NotNil(t, got.JobRequestID, "job_request_id is there: %s", raw)
						require.NotEmpty(t, *got.JobRequestID, raw)
						require.NotEmpty(t, got.Message, raw)
						require.Equal(t, l.zh, hasHan(got.Message), "message %q is in %s", got.Message, l.name)
						if want.code == 1238001 {
							requireScopePermission(t, got.Permission, "1")
						} else {
							require.True(t, len(got.Permission) == 0 || string(got.Permission) == "null", "no permission object: %s", raw)
						}
					})
				}
			}
		})
	}
}

// quotaRows are the running-job quota's rows (capacity 3, 2 per app, 1 per
// business), each a new job of the cluster's app in business 1 once before
// has added running jobs (sleep 300): one in business 1 fills its share
// (1244034); one in business 2 fills the app's (1244033); one started from
// the web UI (no app code) in business 3 fills the system's (1244032). The
// built-in agent's host is shared by every business for these jobs. The
// running jobs are stopped when the test ends.
func (c *Cluster) quotaRows(t *testing.T, local []target) []codeRow {
	t.Helper()
	running := map[int64]string{} // job → its business
	t.Cleanup(func() {
		for id, biz := range running {
			env, err := c.post("operate_job_instance", scope(map[string]any{"bk_scope_id": biz, "job_instance_id": id, "operation_code": 1}))
			if err != nil || !env.Result {
				t.Logf("stop job %d: %v %+v", id, err, env)
			}
		}
	})
	sleep := func(biz string) map[string]any {
		return scriptBody("sleep 300", local, map[string]any{"bk_scope_id": biz})
	}
	isRunning := func(t *testing.T, biz string, id int64) {
		running[id] = biz
		poll(t, time.Minute, fmt.Sprintf("job %d never running", id), func() (bool, string) {
			var st jobStatus
			if ok, why := c.try("get_job_instance_status", scope(map[string]any{"bk_scope_id": biz, "job_instance_id": id}), &st); !ok {
				return false, why
			}
			return st.JobInstance.Status == runRunning, fmt.Sprintf("%+v", st)
		})
	}
	fresh := scriptBody("echo refused", local, nil)
	return []codeRow{
		{row: "running-job quota of the business", name: "fast_execute_script", params: fresh, status: 429, code: 1244034,
			before: func(t *testing.T) {
				now := time.Now()
				for _, biz := range []int64{2, 3} {
					insertBusiness(t, c.DataDir, biz)
					execSQL(t, c.DataDir, "INSERT INTO account (biz_id, account, alias, category, type, created_at, updated_at) VALUES (?, 'root', 'root', 1, 1, ?, ?)",
						biz, now, now)
				}
				// A host with biz_id 0 belongs to no business yet and any
				// may use it (executeimpl.DBHosts); there is no API that
				// shares a host, nor one that adds an account, yet.
				execSQL(t, c.DataDir, "UPDATE host SET biz_id = 0 WHERE ip = ?", "127.0.0.1")
				var job created
				c.v3Into(t, "fast_execute_script", sleep("1"), &job)
				isRunning(t, "1", job.JobInstanceID)
			}},
		{row: "running-job quota of the app", name: "fast_execute_script", params: fresh, status: 429, code: 1244033,
			before: func(t *testing.T) {
				var job created
				c.v3Into(t, "fast_execute_script", sleep("2"), &job)
				isRunning(t, "2", job.JobInstanceID)
			}},
		{row: "running-job quota of the system", name: "fast_execute_script", params: fresh, status: 429, code: 1244032,
			before: func(t *testing.T) {
				browser := webLogin(t, c, "admin", "admin-pass")
				resp, body := browser.do(t, http.MethodPost, "/api/web/fast_execute_script", sleep("3"))
				require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
				var job created
				require.NoError(t, json.Unmarshal(body, &job))
				isRunning(t, "3", job.JobInstanceID)
			}},
	}
}

// webLogin logs user in to the web API as the browser does: the session
// cookie in a jar, the CSRF token from login on every request.
func webLogin(t *testing.T, c *Cluster, user, password string) *API {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &API{Base: c.URL, Client: &http.Client{Jar: jar}}
	resp, body := browser.do(t, http.MethodPost, "/api/web/login", map[string]string{"username": user, "password": password})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	require.NoError(t, json.Unmarshal(body, &login))
	require.NotEmpty(t, login.CSRF)
	browser.Header = http.Header{"X-Csrf-Token": {login.CSRF}}
	return browser
}

// execSQL runs one statement on the server's SQLite database, for the
// states no API makes yet.
func execSQL(t *testing.T, dataDir, query string, args ...any) {
	t.Helper()
	gdb, err := db.Open(context.Background(), config.DB{Driver: "sqlite", MaxOpenConns: 1}, dataDir, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer func() { _ = db.Close(gdb) }()
	res := gdb.Exec(query, args...)
	require.NoError(t, res.Error)
	require.Positive(t, res.RowsAffected, "%s changed nothing", query)
}

// askCodeRow sends r by door d (its credentials unless r.auth is "none")
// with Accept-Language accept.
func (c *Cluster) askCodeRow(t *testing.T, d door, r codeRow, accept string) (int, codeAnswer, string) {
	t.Helper()
	method := r.method
	if method == "" {
		method = http.MethodPost
	}
	h := http.Header{"Accept-Language": {accept}}
	params := r.params
	if r.auth != "none" {
		params = d.sign(t, method, h, params)
	}
	var status int
	var raw string
	if r.body != "" {
		status, _, raw = c.sendBody(t, method, d.url(r.name), h, strings.NewReader(r.body))
	} else {
		status, _, raw = c.send(t, method, d.url(r.name), h, params)
	}
	var got codeAnswer
	require.NoError(t, json.Unmarshal([]byte(raw), &got), raw)
	return status, got, raw
}

// requireScopePermission checks the permission object of a 1238001 answer:
// bk-job's IAM shape naming the action and the business it was missing on.
func requireScopePermission(t *testing.T, raw json.RawMessage, scopeID string) {
	t.Helper()
	var p struct {
		SystemID   string `json:"system_id"`
		SystemName string `json:"system_name"`
		Actions    []struct {
			ID                   string `json:"id"`
			Name                 string `json:"name"`
			RelatedResourceTypes []struct {
				SystemID  string `json:"system_id"`
				Type      string `json:"type"`
				TypeName  string `json:"type_name"`
				Instances [][]struct {
					Type string `json:"type"`
					ID   string `json:"id"`
					Name string `json:"name"`
				} `json:"instances"`
			} `json:"related_resource_types"`
		} `json:"actions"`
	}
	require.NoError(t, json.Unmarshal(raw, &p), "permission: %s", raw)
	require.Equal(t, "bk_job", p.SystemID, string(raw))
	require.NotEmpty(t, p.SystemName, string(raw))
	require.Len(t, p.Actions, 1, string(raw))
	a := p.Actions[0]
	require.Equal(t, "access_business", a.ID, string(raw))
	require.NotEmpty(t, a.Name, string(raw))
	require.Len(t, a.RelatedResourceTypes, 1, string(raw))
	rt := a.RelatedResourceTypes[0]
	require.Equal(t, "bk_cmdb", rt.SystemID, string(raw))
	require.Equal(t, "biz", rt.Type, string(raw))
	require.NotEmpty(t, rt.TypeName, string(raw))
	require.Len(t, rt.Instances, 1, string(raw))
	require.Len(t, rt.Instances[0], 1, string(raw))
	require.Equal(t, "biz", rt.Instances[0][0].Type, string(raw))
	require.Equal(t, scopeID, rt.Instances[0][0].ID, string(raw))
}

// hasHan reports whether s has a Chinese character.
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}
