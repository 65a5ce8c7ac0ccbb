package manageimpl

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/httpx"
)

// v3Server mounts manage.RegisterV3 behind a stand-in for the gateway's
// authentication, which makes every request user "alice" of an app granted
// every scope.
func v3Server(t *testing.T, svc manage.Full) *httptest.Server {
	t.Helper()
	e := echo.New()
	g := e.Group("/api/v3", func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			httpx.SetActor(c, httpx.Actor{Username: "alice", AppCode: "app", AllScopes: true})
			return next(c)
		}
	})
	manage.RegisterV3(g, svc)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

type envelope struct {
	Result  bool            `json:"result"`
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

func call(t *testing.T, srv *httptest.Server, method, path, body string) (envelope, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+"/api/v3/"+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var raw json.RawMessage
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&raw))
	var env envelope
	require.NoError(t, json.Unmarshal(raw, &env))
	return env, string(raw)
}

func TestV3Endpoints(t *testing.T) {
	env := newCredEnv(t, openSQLite(t))
	env.each(t, func(t *testing.T, svc manage.Full) {
		srv := v3Server(t, svc)
		const secret = "hunter2-secret"

		// Secrets never ride in a URL.
		got, raw := call(t, srv, http.MethodGet, "create_credential?bk_scope_type=biz&bk_scope_id=1&name=a&type=PASSWORD&credential_password="+secret, "")
		require.False(t, got.Result, raw)
		require.Contains(t, got.Message, "POST")

		createBody := `{"bk_scope_type":"biz","bk_scope_id":"1","name":"db` + runSuffix(svc) + `",
			"type":"USERNAME_PASSWORD","credential_username":"deploy","credential_password":"` + secret + `"}`
		got, raw = call(t, srv, http.MethodPost, "create_credential/", createBody)
		require.True(t, got.Result, raw)
		require.NotContains(t, raw, secret)
		var ref struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}
		require.NoError(t, json.Unmarshal(got.Data, &ref))
		require.Regexp(t, `^[0-9a-f]{32}$`, ref.ID, "a 32-hex string id, as bk-job's")

		got, raw = call(t, srv, http.MethodPost, "create_credential", createBody)
		require.False(t, got.Result, raw)
		require.Equal(t, 1243901, got.Code, "a duplicate name has its code")
		require.True(t, strings.HasPrefix(got.Message, "name: "), "message %q names name", got.Message)

		got, raw = call(t, srv, http.MethodGet, "get_credential_detail?bk_scope_type=biz&bk_scope_id=1&id="+ref.ID, "")
		require.True(t, got.Result, raw)
		require.NotContains(t, raw, secret)
		require.NotContains(t, raw, "deploy")
		require.NotContains(t, raw, manage.Masked, "bk-job answers no value, not even masked")
		requireDetailFields(t, got.Data)
		var detail manage.Credential
		require.NoError(t, json.Unmarshal(got.Data, &detail))
		require.Equal(t, manage.Credential{ScopeType: "biz", ScopeID: "1", ID: manage.CredentialID(ref.ID), Name: "db" + runSuffix(svc),
			Type: "USERNAME_PASSWORD", Creator: "alice", CreateTime: detail.CreateTime, LastModifyUser: "alice",
			LastModifyTime: detail.LastModifyTime}, detail, "the operator is the authenticated caller")

		bad := []struct {
			name, path, body, field string
		}{
			{"scope missing", "create_credential", `{"name":"a","type":"PASSWORD","credential_password":"x"}`, "bk_scope_id"},
			{"scope unknown", "create_credential", `{"bk_scope_type":"biz","bk_scope_id":"77","name":"a","type":"PASSWORD","credential_password":"x"}`, "bk_scope_id"},
			{"password missing", "create_credential", `{"bk_scope_type":"biz","bk_scope_id":"1","name":"a","type":"PASSWORD"}`, "credential_password"},
			{"name not a string", "create_credential", `{"bk_scope_type":"biz","bk_scope_id":"1","name":5,"type":"PASSWORD"}`, "name"},
			{"id not hex", "get_credential_detail", `{"bk_scope_type":"biz","bk_scope_id":"1","id":"x1"}`, "id"},
			{"id a number", "get_credential_detail", `{"bk_scope_type":"biz","bk_scope_id":"1","id":12}`, "id"},
			{"host port", "create_agentless_host", `{"bk_scope_type":"biz","bk_scope_id":"1","ip":"10.9.9.9","ssh_port":0.5}`, "ssh_port"},
			{"host ip", "create_agentless_host", `{"bk_scope_type":"biz","bk_scope_id":"1","ip":"nope","ssh_user":"root","credential_id":"1"}`, "ip"},
			{"broken json", "create_credential", `{"bk_scope_type":`, "body"},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				got, raw := call(t, srv, http.MethodPost, tc.path, tc.body)
				require.False(t, got.Result, raw)
				require.True(t, strings.HasPrefix(got.Message, tc.field+": "), "message %q names %s", got.Message, tc.field)
			})
		}

		got, raw = call(t, srv, http.MethodPost, "list_agentless_hosts", `{"bk_scope_type":"biz","bk_scope_id":"1"}`)
		require.True(t, got.Result, raw)
		require.Contains(t, raw, `"total"`)
	})
}
