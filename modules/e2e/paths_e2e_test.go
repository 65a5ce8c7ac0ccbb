package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/testenv"
)

// door is one of the paths bk-job's clients reach a v3 endpoint by, with
// the credentials those clients send there.
type door struct {
	name string
	// url is where the endpoint name is served by this door.
	url func(name string) string
	// user is who the door's credentials say acts.
	user string
	// sign adds the door's credentials to a request (header, body or query).
	sign func(t *testing.T, method string, h http.Header, params map[string]any) map[string]any
}

// appSecret is the cluster's API app secret (from its header).
func (c *Cluster) appSecret(t *testing.T) string {
	t.Helper()
	var cred struct {
		Secret string `json:"bk_app_secret"`
	}
	require.NoError(t, json.Unmarshal([]byte(c.api.Header.Get("X-Bkapi-Authorization")), &cred))
	return cred.Secret
}

// doors are every path of a v3 endpoint, each with its own user so the
// actor is seen to come from the door's credentials. backendSvc names the
// bk-job service owning an endpoint on the backend path.
func (c *Cluster) doors(t *testing.T, gw *testenv.GatewayKey, backendSvc func(string) string) []door {
	return c.doorsAs(t, gw, backendSvc, "e2e-app", c.appSecret(t))
}

// doorsAs are the doors with app's credentials (secret) in place of the
// cluster's app: another app, e.g. one granted no scope.
func (c *Cluster) doorsAs(t *testing.T, gw *testenv.GatewayKey, backendSvc func(string) string, app, secret string) []door {
	header := func(user string) func(*testing.T, string, http.Header, map[string]any) map[string]any {
		return func(t *testing.T, _ string, h http.Header, p map[string]any) map[string]any {
			b, err := json.Marshal(map[string]string{"bk_app_code": app, "bk_app_secret": secret, "bk_username": user})
			require.NoError(t, err)
			h.Set("X-Bkapi-Authorization", string(b))
			return p
		}
	}
	esb := func(user string) func(*testing.T, string, http.Header, map[string]any) map[string]any {
		return func(_ *testing.T, _ string, _ http.Header, p map[string]any) map[string]any {
			out := map[string]any{"bk_app_code": app, "bk_app_secret": secret, "bk_username": user}
			for k, v := range p {
				out[k] = v
			}
			return out
		}
	}
	ds := []door{
		{name: "v3", url: func(n string) string { return c.URL + "/api/v3/" + n }, user: "admin", sign: header("admin")},
		{name: "system", url: func(n string) string { return c.URL + "/api/v3/system/" + n }, user: "sys-user", sign: header("sys-user")},
		{name: "esb compapi", url: func(n string) string { return c.URL + "/api/c/compapi/v2/jobv3/" + n + "/" }, user: "esb-user", sign: esb("esb-user")},
		{name: "esb v2", url: func(n string) string { return c.URL + "/v2/jobv3/" + n }, user: "esb2-user", sign: esb("esb2-user")},
	}
	if gw == nil {
		return append(ds, door{name: "backend header", url: func(n string) string { return c.URL + "/api/job/v3/" + backendSvc(n) + "/" + n },
			user: "be-user", sign: header("be-user")})
	}
	return append(ds, door{name: "backend jwt", url: func(n string) string { return c.URL + "/api/job/v3/" + backendSvc(n) + "/" + n + "/" },
		user: "jwt-user", sign: func(t *testing.T, _ string, h http.Header, p map[string]any) map[string]any {
			h.Set("X-Bkapi-JWT", gw.Sign(t, "RS512", testenv.GatewayClaims(app, "jwt-user", time.Now().Add(15*time.Minute))))
			return p
		}})
}

// callDoor sends params to name by d: a JSON body for POST, the query for
// GET. It returns the HTTP status and the envelope.
func (c *Cluster) callDoor(t *testing.T, d door, method, name string, params map[string]any) (int, envelope, string) {
	t.Helper()
	h := http.Header{}
	params = d.sign(t, method, h, params)
	return c.send(t, method, d.url(name), h, params)
}

func (c *Cluster) send(t *testing.T, method, target string, h http.Header, params map[string]any) (int, envelope, string) {
	t.Helper()
	var body io.Reader
	if method == http.MethodGet {
		q := url.Values{}
		for k, v := range params {
			q.Set(k, fmt.Sprint(v))
		}
		target += "?" + q.Encode()
	} else if params != nil {
		b, err := json.Marshal(params)
		require.NoError(t, err)
		body = bytes.NewReader(b)
	}
	return c.sendBody(t, method, target, h, body)
}

// sendBody sends body as it is (nil: none) and returns the HTTP status, the
// envelope and the raw answer.
func (c *Cluster) sendBody(t *testing.T, method, target string, h http.Header, body io.Reader) (int, envelope, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, body)
	require.NoError(t, err)
	if h != nil {
		req.Header = h.Clone()
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var env envelope
	require.NoError(t, json.Unmarshal(raw, &env), string(raw))
	return resp.StatusCode, env, string(raw)
}

// backendService is the bk-job service owning a served endpoint on the
// backend path (api_gateway.backend_path in bk-job's reference).
func backendService(name string) string {
	switch name {
	case "create_credential", "update_credential", "get_credential_detail", "query_agent_info":
		return "job-manage"
	}
	// The script library, accounts and high-risk rules are job-manage's;
	// running a script (fast_execute_script) is job-execute's.
	isScript := strings.Contains(name, "script") && !strings.HasPrefix(name, "fast_")
	isAccount := strings.HasSuffix(name, "_account") || name == "get_account_list"
	if isScript || isAccount || strings.Contains(name, "_dangerous_rule") {
		return "job-manage"
	}
	return "job-execute"
}

// TestPathsSameAnswer runs the same calls through every door of a server
// that trusts a gateway key: /api/v3/<name>, /api/v3/system/<name>, the ESB
// paths (credentials in the body or query) and the backend path
// /api/job/v3/job-execute/<name> (X-Bkapi-JWT). Each starts a real job on a
// real agent as its own user; then every door gives the same job list and
// the same status of every job. The attacks follow on the same server.
func TestPathsSameAnswer(t *testing.T) {
	gw := testenv.NewGatewayKey(t)
	c := StartCluster(t, "BKJOB_API__GATEWAY_JWT_PUBLIC_KEY_FILE="+gw.PEMFile)
	agent := StartAgent(t, c, "127.0.0.71", AgentOptions{})
	doors := c.doors(t, gw, backendService)
	start := time.Now().Add(-time.Minute).UnixMilli()

	jobs := map[string]int64{}
	for _, d := range doors {
		status, env, raw := c.callDoor(t, d, http.MethodPost, "fast_execute_script",
			scriptBody("echo door "+d.name, []target{agent}, map[string]any{"task_name": "paths"}))
		require.Equal(t, http.StatusOK, status, raw)
		require.True(t, env.Result, "%s: %s", d.name, raw)
		var job created
		require.NoError(t, json.Unmarshal(env.Data, &job))
		require.Positive(t, job.JobInstanceID)
		jobs[d.name] = job.JobInstanceID
	}
	for name, id := range jobs {
		st := c.waitJob(t, id, 60*time.Second)
		require.Equal(t, 3, st.JobInstance.Status, "%s: job %d ran to success", name, id)
	}

	t.Run("SameJobList", func(t *testing.T) {
		params := scope(map[string]any{"create_time_start": start, "create_time_end": time.Now().Add(time.Minute).UnixMilli(), "length": 100})
		var first json.RawMessage
		for _, d := range doors {
			for _, method := range []string{http.MethodPost, http.MethodGet} {
				status, env, raw := c.callDoor(t, d, method, "get_job_instance_list", params)
				require.Equal(t, http.StatusOK, status, raw)
				require.True(t, env.Result, "%s %s: %s", d.name, method, raw)
				if first == nil {
					first = env.Data
					continue
				}
				require.JSONEq(t, string(first), string(env.Data), "%s %s answers as /api/v3 does", d.name, method)
			}
		}
		var page struct {
			Data []struct {
				ID       int64  `json:"id"`
				Operator string `json:"operator"`
			} `json:"data"`
		}
		require.NoError(t, json.Unmarshal(first, &page))
		operators := map[int64]string{}
		for _, j := range page.Data {
			operators[j.ID] = j.Operator
		}
		for _, d := range doors {
			require.Equal(t, d.user, operators[jobs[d.name]], "%s: the job runs as the user its credentials name", d.name)
		}
	})

	t.Run("SameJobStatus", func(t *testing.T) {
		for _, id := range jobs {
			var first json.RawMessage
			for _, d := range doors {
				status, env, raw := c.callDoor(t, d, http.MethodPost, "get_job_instance_status",
					scope(map[string]any{"job_instance_id": id, "return_ip_result": true}))
				require.Equal(t, http.StatusOK, status, raw)
				require.True(t, env.Result, "%s: %s", d.name, raw)
				if first == nil {
					first = env.Data
					continue
				}
				require.JSONEq(t, string(first), string(env.Data), "%s: job %d", d.name, id)
			}
		}
	})

	t.Run("Attacks", func(t *testing.T) { pathAttacks(t, c, gw) })
}

// pathAttacks are hostile requests on every door: each is refused with
// bk-job's code and HTTP status, and nothing of the web API answers.
func pathAttacks(t *testing.T, c *Cluster, gw *testenv.GatewayKey) {
	secret := c.appSecret(t)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	good := testenv.GatewayClaims("e2e-app", "jwt-user", time.Now().Add(15*time.Minute))
	jwt := func(tok string) http.Header { return http.Header{"X-Bkapi-JWT": {tok}} }
	unsigned := testenv.JWTPart(t, map[string]any{"alg": "none", "typ": "JWT"}) + "." + testenv.JWTPart(t, good) + "."
	hs256 := func() string {
		signing := testenv.JWTPart(t, map[string]any{"alg": "HS256", "typ": "JWT"}) + "." + testenv.JWTPart(t, good)
		m := hmac.New(sha256.New, gw.PEMText)
		m.Write([]byte(signing))
		return signing + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}()
	otherKey := (&testenv.GatewayKey{Key: other}).Sign(t, "RS512", good)
	expired := gw.Sign(t, "RS512", testenv.GatewayClaims("e2e-app", "jwt-user", time.Now().Add(-time.Hour)))
	valid := gw.Sign(t, "RS512", good)
	esbBody := func(secret string) map[string]any {
		return scope(map[string]any{"bk_app_code": "e2e-app", "bk_app_secret": secret, "bk_username": "mallory",
			"create_time_start": 1, "create_time_end": 2})
	}
	list := scope(map[string]any{"create_time_start": 1, "create_time_end": 2})

	tests := []struct {
		name, method, path string
		header             http.Header
		params             map[string]any
		status, code       int
		message            string
	}{
		{"esb wrong secret", "POST", "/v2/jobv3/get_job_instance_list/", nil, esbBody("wrong-esb-secret"), 401, 1240005, "invalid app code"},
		{"esb secret only in X-Bkapi-Authorization", "POST", "/v2/jobv3/get_job_instance_list/", c.api.Header.Clone(), list, 401, 1240005, "bk_app_code and bk_app_secret are required"},
		{"esb secret only in a header of its own", "POST", "/api/c/compapi/v2/jobv3/get_job_instance_list/",
			http.Header{"Bk_app_code": {"e2e-app"}, "Bk_app_secret": {secret}}, list, 401, 1240005, "bk_app_code and bk_app_secret are required"},
		{"jwt alg none", "POST", "/api/job/v3/job-execute/get_job_instance_list", jwt(unsigned), list, 401, 1240005, `algorithm "none" is not accepted`},
		{"jwt HS256 keyed with the public key", "POST", "/api/job/v3/job-execute/get_job_instance_list", jwt(hs256), list, 401, 1240005, `algorithm "HS256" is not accepted`},
		{"jwt expired", "POST", "/api/job/v3/job-execute/get_job_instance_list", jwt(expired), list, 401, 1240005, "expired at"},
		{"jwt signed by another key", "POST", "/api/job/v3/job-execute/get_job_instance_list", jwt(otherKey), list, 401, 1240005, "signature does not verify"},
		{"backend with X-Bkapi-Authorization only", "POST", "/api/job/v3/job-execute/get_job_instance_list", c.api.Header.Clone(), list, 401, 1240005, "X-Bkapi-JWT is required"},
		{"backend traversal", "GET", "/api/job/v3/job-execute/../../web/me", jwt(valid), nil, 200, 1239003, "not an API name"},
		{"backend encoded traversal", "GET", "/api/job/v3/job-execute/..%2F..%2Fweb%2Fme", jwt(valid), nil, 200, 1239003, "not an API name"},
		{"backend traversal unauthenticated", "GET", "/api/job/v3/job-execute/../../web/me", nil, nil, 401, 1240005, "X-Bkapi-JWT is required"},
		{"esb traversal", "POST", "/v2/jobv3/..%2F..%2Fapi%2Fweb%2Fme/", nil, esbBody(secret), 200, 1239003, "not an API name"},
		{"system traversal", "GET", "/api/v3/system/..%2F..%2Fapi%2Fweb%2Fme", c.api.Header.Clone(), nil, 200, 1239003, "not an API name"},
		{"unknown service", "POST", "/api/job/v3/job-logsvr/get_job_instance_list", jwt(valid), list, 200, 1239003, "bk-job has no service job-logsvr"},
		{"service in the name's place", "POST", "/api/job/v3/get_job_instance_list", jwt(valid), list, 200, 1239003, "give /api/job/v3/<service>/<name>"},
		{"name under another service", "POST", "/api/job/v3/job-manage/fast_execute_script", jwt(valid), list, 200, 1239003, "belongs to job-execute, not job-manage"},
		{"bkjob's own name under system", "POST", "/api/v3/system/rolling_preview", c.api.Header.Clone(), list, 200, 1239003, "rolling_preview is not a bk-job API"},
		{"bk-job name not built yet", "POST", "/api/v3/system/generate_local_file_upload_url", c.api.Header.Clone(), list, 200, 1241011, "generate_local_file_upload_url (job-manage) is not supported by bkjob yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, env, raw := c.send(t, tt.method, c.URL+tt.path, tt.header, tt.params)
			require.Equal(t, tt.status, status, raw)
			require.False(t, env.Result, raw)
			require.Equal(t, tt.code, env.Code, raw)
			require.Contains(t, env.Message, tt.message, raw)
			require.NotContains(t, raw, `"username"`, "nothing of the web API answers")
		})
	}
	require.Eventually(t, func() bool { return strings.Contains(c.Output.String(), "api auth refused") }, 10*time.Second, 50*time.Millisecond,
		"the refusal is logged")
	require.NotContains(t, c.Output.String(), "wrong-esb-secret", "a secret is never logged, wrong or right")
	require.NotContains(t, c.Output.String(), secret)
	require.NotContains(t, c.Output.String(), strings.Split(valid, ".")[2], "nor a token")
}

// TestPathsBackendWithoutKey: with no gateway key configured the backend
// path takes X-Bkapi-Authorization and answers as /api/v3 does; a JWT
// alone is refused.
func TestPathsBackendWithoutKey(t *testing.T) {
	c := StartCluster(t)
	doors := c.doors(t, nil, backendService)
	params := scope(map[string]any{"create_time_start": time.Now().Add(-time.Hour).UnixMilli(), "create_time_end": time.Now().UnixMilli()})
	var first json.RawMessage
	for _, d := range doors {
		status, env, raw := c.callDoor(t, d, http.MethodPost, "get_job_instance_list", params)
		require.Equal(t, http.StatusOK, status, raw)
		require.True(t, env.Result, "%s: %s", d.name, raw)
		if first == nil {
			first = env.Data
			continue
		}
		require.JSONEq(t, string(first), string(env.Data), d.name)
	}
	// A job-manage endpoint by its own service answers as on /api/v3.
	credential := scope(map[string]any{"id": "no-such-credential"})
	_, want, _ := c.callDoor(t, doors[0], http.MethodPost, "get_credential_detail", credential)
	status, env, raw := c.callDoor(t, doors[len(doors)-1], http.MethodPost, "get_credential_detail", credential)
	require.Equal(t, http.StatusOK, status, raw)
	require.NotZero(t, env.Code, raw)
	require.Equal(t, want, env, "job-manage's endpoint by its own service")

	gw := testenv.NewGatewayKey(t)
	status, env, raw = c.send(t, http.MethodPost, c.URL+"/api/job/v3/job-execute/get_job_instance_list",
		http.Header{"X-Bkapi-JWT": {gw.Sign(t, "RS512", testenv.GatewayClaims("e2e-app", "x", time.Now().Add(time.Hour)))}}, params)
	require.Equal(t, http.StatusUnauthorized, status, raw)
	require.Equal(t, 1240005, env.Code)
	require.Contains(t, env.Message, "api.gateway_jwt_public_key_file is not set")
}
