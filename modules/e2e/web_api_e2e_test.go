package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// webError is the web API's one error body.
type webError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

// TestWebAPI drives a job through the web API as the browser does: the
// session cookie, the CSRF token from login, plain JSON answers, real HTTP
// statuses and v3's codes in the one error body.
func TestWebAPI(t *testing.T) {
	c := StartCluster(t, "BKJOB_ADMIN_PASSWORD=admin-pass")
	agent := StartAgent(t, c, "127.0.0.61", AgentOptions{})
	insertPrincipals(t, c.DataDir)

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &API{Base: c.URL, Client: &http.Client{Jar: jar}}
	resp, body := browser.do(t, http.MethodPost, "/api/web/login", map[string]string{"username": "admin", "password": "admin-pass"})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	require.NoError(t, json.Unmarshal(body, &login))
	require.NotEmpty(t, login.CSRF)

	run := scriptBody("echo web-$((6*7))", []target{agent}, nil)

	t.Run("a state change with the cookie alone is refused and creates nothing", func(t *testing.T) {
		resp, body := browser.do(t, http.MethodPost, "/api/web/fast_execute_script", run)
		requireWebError(t, resp, body, http.StatusForbidden, 1240004, "")
		resp, body = browser.do(t, http.MethodPost, "/api/web/get_job_instance_list", listQuery())
		require.Equal(t, http.StatusForbidden, resp.StatusCode, "every declared web method needs the token: %s", body)
		resp, body = (&API{Base: c.URL, Header: bearer(t, c.URL, "admin", "admin-pass")}).do(t, http.MethodPost, "/api/web/get_job_instance_list", listQuery())
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		require.Contains(t, string(body), `"total":0`)
	})

	browser.Header = http.Header{}
	browser.Header.Set("X-CSRF-Token", login.CSRF)

	var job struct {
		JobInstanceID  int64 `json:"job_instance_id"`
		StepInstanceID int64 `json:"step_instance_id"`
	}
	t.Run("a job runs and is read back as plain JSON", func(t *testing.T) {
		resp, body := browser.do(t, http.MethodPost, "/api/web/fast_execute_script", run)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		require.NoError(t, json.Unmarshal(body, &job))
		require.Positive(t, job.JobInstanceID)
		c.waitJob(t, job.JobInstanceID, 60*time.Second)

		resp, body = browser.do(t, http.MethodPost, "/api/web/get_job_instance_ip_log", scope(map[string]any{
			"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID, "bk_cloud_id": 0, "ip": agent.IP}))
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		require.Contains(t, string(body), "web-42")
		require.NotContains(t, string(body), `"result"`, "no v3 envelope on the web API")

		zh := &API{Base: c.URL, Client: browser.Client, Header: browser.Header.Clone()}
		zh.Header.Set("Accept-Language", "zh-CN")
		resp, body = zh.do(t, http.MethodPost, "/api/web/get_step_instance_status", scope(map[string]any{
			"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID}))
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		require.Contains(t, string(body), `"status_desc":"执行成功"`, "descriptions in the caller's language on the web too")
	})

	t.Run("errors have the real status and v3's code", func(t *testing.T) {
		tests := []struct {
			name, method, path string
			body               any
			status, code       int
			field              string
		}{
			{"required", http.MethodPost, "/api/web/get_job_instance_status", map[string]any{"job_instance_id": job.JobInstanceID}, 400, 1241004, "bk_scope_id"},
			{"not found", http.MethodPost, "/api/web/get_job_instance_status", scope(map[string]any{"job_instance_id": 987654}), 404, 1244006, "job_instance_id"},
			{"POST only", http.MethodGet, "/api/web/fast_execute_script", nil, 405, 1239003, ""},
			{"reads by POST too", http.MethodGet, "/api/web/get_job_instance_status", nil, 405, 1239003, ""},
			{"unknown path", http.MethodGet, "/api/web/no_such_method", nil, 404, 1239003, ""},
			{"not an object", http.MethodPost, "/api/web/get_job_instance_status", "a string", 400, 1241005, "body"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := browser.do(t, tt.method, tt.path, tt.body)
				requireWebError(t, resp, body, tt.status, tt.code, tt.field)
			})
		}
	})

	t.Run("job bodies get http.max_job_body_bytes, other calls the small limit", func(t *testing.T) {
		big := "#" + strings.Repeat("a", 1536<<10) + "\necho big-body\n"
		resp, body := browser.do(t, http.MethodPost, "/api/web/fast_execute_script", scriptBody(big, []target{agent}, nil))
		require.Equal(t, http.StatusOK, resp.StatusCode, "a 2 MiB job body is a job: %.300s", body)
		resp, body = browser.do(t, http.MethodPost, "/api/web/get_job_instance_status", scope(map[string]any{"pad": strings.Repeat("a", 2<<20)}))
		requireWebError(t, resp, body, http.StatusRequestEntityTooLarge, 1239004, "")
	})

	t.Run("no session", func(t *testing.T) {
		resp, body := (&API{Base: c.URL}).do(t, http.MethodPost, "/api/web/get_job_instance_list", listQuery())
		requireWebError(t, resp, body, http.StatusUnauthorized, 1240004, "")
	})

	t.Run("a user without the business gets 1238001 and what to apply for", func(t *testing.T) {
		alice := webSession(t, c.URL, "alice", "alice-pass")
		resp, body := alice.do(t, http.MethodPost, "/api/web/get_job_instance_status", scope(map[string]any{"job_instance_id": job.JobInstanceID}))
		requireWebError(t, resp, body, http.StatusForbidden, 1238001, "")
		require.Contains(t, string(body), `"permission"`)
		require.NotContains(t, string(body), "web-42")
		resp, body = alice.do(t, http.MethodPost, "/api/web/agents", scope(nil))
		requireWebError(t, resp, body, http.StatusForbidden, 1238001, "")
	})

	t.Run("get_scope gives the business's name and time zone to those who may use it", func(t *testing.T) {
		resp, body := browser.do(t, http.MethodPost, "/api/web/get_scope", scope(nil))
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var sc struct {
			Name     string `json:"name"`
			TimeZone string `json:"time_zone"`
		}
		require.NoError(t, json.Unmarshal(body, &sc))
		require.Equal(t, "Default", sc.Name)
		_, err := time.LoadLocation(sc.TimeZone)
		require.NoError(t, err, "the time zone %q is an IANA name", sc.TimeZone)
		require.NotEqual(t, "Local", sc.TimeZone)

		alice := webSession(t, c.URL, "alice", "alice-pass")
		resp, body = alice.do(t, http.MethodPost, "/api/web/get_scope", scope(nil))
		requireWebError(t, resp, body, http.StatusForbidden, 1238001, "")
		resp, body = browser.do(t, http.MethodPost, "/api/web/get_scope", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "424242"})
		requireWebError(t, resp, body, http.StatusNotFound, 1243051, "bk_scope_id")
	})

	t.Run("a client cannot mark its scope resolved", func(t *testing.T) {
		// scope_resolved is the door's to set: sent by a client with a
		// business it has no right to, it changes nothing.
		forged := map[string]any{"scope_resolved": true, "bk_biz_id": 1, "bk_scope_type": "biz", "bk_scope_id": "1",
			"job_instance_id": job.JobInstanceID}
		alice := webSession(t, c.URL, "alice", "alice-pass")
		resp, body := alice.do(t, http.MethodPost, "/api/web/get_job_instance_status", forged)
		requireWebError(t, resp, body, http.StatusForbidden, 1238001, "")
		ops := &API{Base: c.URL, Header: http.Header{"X-Bkapi-Authorization": {`{"bk_app_code":"ops","bk_app_secret":"ops-secret"}`}}}
		resp, body = ops.do(t, http.MethodPost, "/api/v3/get_job_instance_status", forged)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(body), `"code":1238001`)
		require.NotContains(t, string(body), "web-42")
		resp, body = ops.do(t, http.MethodGet, fmt.Sprintf("/api/v3/get_job_instance_status?scope_resolved=true&bk_biz_id=1&job_instance_id=%d", job.JobInstanceID), nil)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(body), `"code":1238001`)
	})

	t.Run("the message follows the caller's language", func(t *testing.T) {
		zh := &API{Base: c.URL, Client: browser.Client, Header: browser.Header.Clone()}
		zh.Header.Set("Accept-Language", "zh-CN")
		resp, body := zh.do(t, http.MethodPost, "/api/web/get_job_instance_status", map[string]any{"job_instance_id": 1})
		e := requireWebError(t, resp, body, http.StatusBadRequest, 1241004, "bk_scope_id")
		require.True(t, strings.ContainsFunc(e.Message, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }), e.Message)
	})
}

func listQuery() map[string]any {
	now := time.Now()
	return scope(map[string]any{"create_time_start": now.Add(-time.Hour).UnixMilli(), "create_time_end": now.Add(time.Hour).UnixMilli()})
}

// bearer logs user in and returns the header of a bearer session: no
// cookie, so no CSRF token is needed.
func bearer(t *testing.T, base, user, password string) http.Header {
	t.Helper()
	return webSession(t, base, user, password).Header
}

func requireWebError(t *testing.T, resp *http.Response, body []byte, status, code int, field string) webError {
	t.Helper()
	require.Equal(t, status, resp.StatusCode, string(body))
	var e webError
	require.NoError(t, json.Unmarshal(body, &e), string(body))
	require.Equal(t, code, e.Code, string(body))
	require.Equal(t, field, e.Field, string(body))
	require.NotEmpty(t, e.Message)
	return e
}
