package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/bkjob/bkjob/platform/testenv"
)

func TestParseV3Alias(t *testing.T) {
	tests := []struct {
		path    string
		alias   bool
		kind    pathKind
		name    string
		refusal string // "" when served
	}{
		{"/api/v3/get_job_instance_list", false, pathV3, "", ""},
		{"/api/web/me", false, pathV3, "", ""},
		{"/api/v3/system", false, pathV3, "", ""},
		{"/api/v3/system/query_agent_info", true, pathSystem, "query_agent_info", ""},
		{"/api/v3/system/query_agent_info/", true, pathSystem, "query_agent_info", ""},
		{"/api/v3/system/fast_execute_script", true, pathSystem, "fast_execute_script", ""},
		{"/api/v3/system/whoami", true, pathSystem, "", "whoami is not a bk-job API"},
		{"/api/v3/system/rolling_preview", true, pathSystem, "", "rolling_preview is not a bk-job API"},
		{"/api/v3/system/../web/me", true, pathSystem, "", "not an API name"},
		{"/v2/jobv3/fast_execute_script/", true, pathESB, "fast_execute_script", ""},
		{"/v2/jobv3/fast_execute_script", true, pathESB, "fast_execute_script", ""},
		{"/api/c/compapi/v2/jobv3/get_job_instance_list/", true, pathESB, "get_job_instance_list", ""},
		{"/esb/api/v3/get_latest_service_version/", true, pathESB, "get_latest_service_version", ""},
		{"/v2/jobv3/FAST_EXECUTE_SCRIPT/", true, pathESB, "", "not an API name"},
		{"/v2/jobv3//", true, pathESB, "", "not an API name"},
		{"/v2/jobv3/fast_execute_script//", true, pathESB, "", "not an API name"},
		{"/v2/jobv3/" + strings.Repeat("a", 65) + "/", true, pathESB, "", "not an API name"},
		{"/api/job/v3/job-execute/fast_execute_script", true, pathBackend, "fast_execute_script", ""},
		{"/api/job/v3/job-execute/fast_execute_script/", true, pathBackend, "fast_execute_script", ""},
		{"/api/job/v3/job-manage/create_credential", true, pathBackend, "create_credential", ""},
		{"/api/job/v3/job-manage/query_agent_info", true, pathBackend, "query_agent_info", ""},
		{"/api/job/v3/job-crontab/save_cron", true, pathBackend, "save_cron", ""},
		{"/api/job/v3/job-file-gateway/create_file_source", true, pathBackend, "create_file_source", ""},
		{"/api/job/v3/job-manage/fast_execute_script", true, pathBackend, "", "fast_execute_script belongs to job-execute, not job-manage"},
		{"/api/job/v3/job-execute/query_agent_info", true, pathBackend, "", "query_agent_info belongs to job-manage, not job-execute"},
		{"/api/job/v3/job-logsvr/get_job_instance_ip_log", true, pathBackend, "", "bk-job has no service job-logsvr"},
		{"/api/job/v3/job-execute/whoami", true, pathBackend, "", "whoami is not a bk-job API"},
		{"/api/job/v3/fast_execute_script", true, pathBackend, "", "give /api/job/v3/<service>/<name>"},
		{"/api/job/v3/job-execute", true, pathBackend, "", "give /api/job/v3/<service>/<name>"},
		{"/api/job/v3/job-execute/../../web/me", true, pathBackend, "", "not an API name"},
		{"/api/job/v3/../web/fast_execute_script", true, pathBackend, "", "not an API name"},
		{"/api/job/v3/job-execute/fast_execute_script/extra", true, pathBackend, "", "not an API name"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			a, name, ok := parseV3Alias(tt.path)
			require.Equal(t, tt.alias, ok)
			if !ok {
				return
			}
			require.Equal(t, tt.kind, a.kind)
			require.Equal(t, tt.path, a.from)
			if tt.refusal == "" {
				require.NoError(t, a.refusal)
				require.Equal(t, tt.name, name)
				return
			}
			require.ErrorContains(t, a.refusal, tt.refusal)
			require.Equal(t, 1239003, httpx.V3Code(a.refusal))
		})
	}
}

// echoProbe mounts get_job_instance_list and fast_execute_script answering
// with the actor and the request as the handler sees it.
func echoProbe(_, v3 *echo.Group) {
	h := func(c echo.Context) error {
		a, _ := httpx.ActorOf(c)
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		return httpx.V3OK(c, probeSeen{Actor: a, Body: string(body), Query: c.Request().URL.RawQuery, Route: c.Path()})
	}
	for _, name := range []string{"get_job_instance_list", "fast_execute_script"} {
		for _, p := range []string{"/" + name, "/" + name + "/"} {
			v3.GET(p, h)
			v3.POST(p, h)
		}
	}
}

type probeSeen struct {
	Actor httpx.Actor `json:"actor"`
	Body  string      `json:"body"`
	Query string      `json:"query"`
	Route string      `json:"route"`
}

type probeReply struct {
	Result  bool      `json:"result"`
	Code    int       `json:"code"`
	Message string    `json:"message"`
	Data    probeSeen `json:"data"`
}

func decodeProbe(t *testing.T, rec *httptest.ResponseRecorder) probeReply {
	t.Helper()
	var r probeReply
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &r), rec.Body.String())
	return r
}

func (f *fixture) raw(method, path string, header http.Header, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v) // canonical, as a server reads any spelling off the wire
		}
	}
	rec := httptest.NewRecorder()
	f.srv.Echo.ServeHTTP(rec, req)
	return rec
}

// TestEveryDoorReachesTheSameHandler: one call through /api/v3, /system,
// the three ESB paths and the backend path (JWT, with a gateway key) lands
// on the same route with the same actor and parameters, and the ESB
// credentials never reach the handler.
func TestEveryDoorReachesTheSameHandler(t *testing.T) {
	gw := testenv.NewGatewayKey(t)
	f := newFixtureWith(t, fixtureOptions{env: append([]string{gw.Env()}, "BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret"),
		mounts: []Mount{echoProbe}})
	header := http.Header{AuthHeader: {`{"bk_app_code":"ci","bk_app_secret":"s3cret","bk_username":"alice"}`}}
	jwt := http.Header{JWTHeader: {gw.Sign(t, "RS512", testenv.GatewayClaims("ci", "alice", time.Now().Add(15*time.Minute)))}}
	params := `{"bk_scope_type":"biz","bk_scope_id":"2","note":"<&>"}`
	esb := `{"bk_app_code":"ci","bk_app_secret":"s3cret","bk_username":"alice","bk_scope_type":"biz","bk_scope_id":"2","note":"<&>"}`

	doors := []struct {
		path   string
		header http.Header
		body   string
	}{
		{"/api/v3/get_job_instance_list", header, params},
		{"/api/v3/get_job_instance_list/", header, params},
		{"/api/v3/system/get_job_instance_list", header, params},
		{"/api/v3/system/get_job_instance_list/", header, params},
		{"/v2/jobv3/get_job_instance_list/", nil, esb},
		{"/v2/jobv3/get_job_instance_list", nil, esb},
		{"/api/c/compapi/v2/jobv3/get_job_instance_list/", nil, esb},
		{"/esb/api/v3/get_job_instance_list/", nil, esb},
		{"/api/job/v3/job-execute/get_job_instance_list", jwt, params},
		{"/api/job/v3/job-execute/get_job_instance_list/", jwt, params},
	}
	for _, d := range doors {
		t.Run(d.path, func(t *testing.T) {
			rec := f.raw(http.MethodPost, d.path, d.header, d.body)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			r := decodeProbe(t, rec)
			require.True(t, r.Result, rec.Body.String())
			require.Equal(t, httpx.Actor{Username: "alice", AppCode: "ci", AllScopes: true}, r.Data.Actor)
			require.JSONEq(t, params, r.Data.Body)
			require.Contains(t, r.Data.Body, "<&>", "parameters go on as they came, not HTML-escaped")
			require.Equal(t, "/api/v3/get_job_instance_list", strings.TrimSuffix(r.Data.Route, "/"), "the same route: body limit and metrics too")
		})
	}
}

// TestDoorRefusals: a name a door does not serve is 1239003 once the
// caller is authenticated (401 before); a bk-job name bkjob has not built
// is 1241011 naming it, by every door.
func TestDoorRefusals(t *testing.T) {
	f := newFixtureWith(t, fixtureOptions{env: []string{"BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret"}, mounts: []Mount{echoProbe}})
	auth := appAuth("ci", "s3cret")
	esb := func(extra string) string {
		return `{"bk_app_code":"ci","bk_app_secret":"s3cret","bk_scope_type":"biz","bk_scope_id":"2"` + extra + `}`
	}
	tests := []struct {
		name, path string
		header     http.Header
		body       string
		status     int
		code       int
		message    string
	}{
		{"bkjob name under system", "/api/v3/system/whoami", auth, "{}", 200, 1239003, "whoami is not a bk-job API"},
		{"unknown name under system", "/api/v3/system/no_such_api", auth, "{}", 200, 1239003, "not a bk-job API"},
		{"unknown name under esb", "/v2/jobv3/no_such_api/", nil, esb(""), 200, 1239003, "not a bk-job API"},
		{"unknown service", "/api/job/v3/job-logsvr/get_job_instance_list", auth, "{}", 200, 1239003, "bk-job has no service job-logsvr"},
		{"wrong service", "/api/job/v3/job-manage/get_job_instance_list", auth, "{}", 200, 1239003, "belongs to job-execute, not job-manage"},
		{"traversal", "/api/job/v3/job-execute/../../web/me", auth, "{}", 200, 1239003, "not an API name"},
		{"encoded traversal", "/api/job/v3/job-execute/..%2F..%2Fweb%2Fme", auth, "{}", 200, 1239003, "not an API name"},
		{"esb traversal", "/v2/jobv3/..%2F..%2Fapi%2Fweb%2Fme/", nil, esb(""), 200, 1239003, "not an API name"},
		{"system traversal", "/api/v3/system/..%2Fweb%2Fme", auth, "{}", 200, 1239003, "not an API name"},
		{"refusal waits for authentication", "/api/job/v3/job-logsvr/get_job_instance_list", nil, "{}", 401, 1240005, "X-Bkapi-Authorization is required"},
		{"traversal waits for authentication", "/api/job/v3/job-execute/../../web/me", nil, "{}", 401, 1240005, "X-Bkapi-Authorization is required"},
		{"not built, system", "/api/v3/system/generate_local_file_upload_url", auth, "{}", 200, 1241011, "generate_local_file_upload_url (job-manage) is not supported by bkjob yet"},
		{"not built, v3", "/api/v3/get_latest_service_version", auth, "{}", 200, 1241011, "get_latest_service_version (job-manage) is not supported"},
		{"not built, esb", "/esb/api/v3/get_latest_service_version/", nil, esb(""), 200, 1241011, "get_latest_service_version"},
		{"not built, backend", "/api/job/v3/job-execute/bkci_plugin_fast_execute_script", auth, "{}", 200, 1241011, "bkci_plugin_fast_execute_script (job-execute)"},
		{"unknown name on v3", "/api/v3/no_such_api", auth, "{}", 200, 1239003, "unsupported API"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.raw(http.MethodPost, tt.path, tt.header, tt.body)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			r := decodeV3(t, rec)
			require.False(t, r.Result)
			require.Equal(t, tt.code, r.Code, rec.Body.String())
			require.Contains(t, r.Message, tt.message)
		})
	}
}

// TestBackendWithoutGatewayKey: with no api.gateway_jwt_public_key_file the
// backend paths take X-Bkapi-Authorization, and a JWT alone is refused
// saying why.
func TestBackendWithoutGatewayKey(t *testing.T) {
	f := newFixtureWith(t, fixtureOptions{env: []string{"BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret"}, mounts: []Mount{echoProbe}})
	rec := f.raw(http.MethodPost, "/api/job/v3/job-execute/fast_execute_script", appAuth("ci", "s3cret"), `{"bk_scope_id":"2"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Equal(t, "ci", decodeProbe(t, rec).Data.Actor.AppCode)

	gw := testenv.NewGatewayKey(t)
	rec = f.raw(http.MethodPost, "/api/job/v3/job-execute/fast_execute_script",
		http.Header{JWTHeader: {gw.Sign(t, "RS512", testenv.GatewayClaims("ci", "alice", time.Now().Add(15*time.Minute)))}}, `{}`)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	r := decodeV3(t, rec)
	require.Equal(t, 1240005, r.Code)
	require.Contains(t, r.Message, "api.gateway_jwt_public_key_file is not set")
}
