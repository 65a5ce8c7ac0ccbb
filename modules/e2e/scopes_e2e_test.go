package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
)

type scopePage struct {
	Total int `json:"total"`
	Data  []struct {
		Type     string  `json:"bk_scope_type"`
		ID       string  `json:"bk_scope_id"`
		Name     string  `json:"name"`
		TimeZone string  `json:"time_zone"`
		Members  []int64 `json:"member_biz_ids"`
	} `json:"data"`
}

// TestScopeAdminAPI: platform administrators create and edit businesses
// and business sets on the web API and v3; others are refused with
// bk-job's 1238001 and see only the scopes they may use (none, for a user
// granted none); a bad time zone names its field; an id is taken once.
func TestScopeAdminAPI(t *testing.T) {
	c := StartCluster(t, "BKJOB_ADMIN_PASSWORD=admin-pass")
	insertPrincipals(t, c.DataDir)
	admin := webSession(t, c.URL, "admin", "admin-pass")
	alice := webSession(t, c.URL, "alice", "alice-pass")
	ops := &API{Base: c.URL, Header: http.Header{"X-Bkapi-Authorization": {`{"bk_app_code":"ops","bk_app_secret":"ops-secret"}`}}}
	payments := map[string]any{"bk_biz_id": 2, "name": "Payments", "time_zone": "Asia/Tokyo", "maintainers": []string{"alice", "bob"}}

	t.Run("a non-administrator is refused and nothing is created", func(t *testing.T) {
		resp, body := alice.do(t, http.MethodPost, "/api/web/create_biz", payments)
		requireWebError(t, resp, body, http.StatusForbidden, 1238001, "")
		_, body = ops.do(t, http.MethodPost, "/api/v3/create_biz", payments)
		require.Contains(t, string(body), `"code":1238001`)
		_, body = ops.do(t, http.MethodPost, "/api/v3/update_biz", map[string]any{"bk_biz_id": 1, "name": "Mine"})
		require.Contains(t, string(body), `"code":1238001`)
		resp, body = alice.do(t, http.MethodPost, "/api/web/create_biz_set", map[string]any{"bk_biz_set_id": 8000001, "name": "S", "member_biz_ids": []int64{1}})
		requireWebError(t, resp, body, http.StatusForbidden, 1238001, "")
		resp, body = admin.do(t, http.MethodPost, "/api/web/get_scope", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "2"})
		requireWebError(t, resp, body, http.StatusNotFound, 1243051, "bk_scope_id")
	})
	t.Run("an administrator creates a business", func(t *testing.T) {
		resp, body := admin.do(t, http.MethodPost, "/api/web/create_biz", payments)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		resp, body = admin.do(t, http.MethodPost, "/api/web/get_scope", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "2"})
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		require.Contains(t, string(body), `"time_zone":"Asia/Tokyo"`)
		c.v3(t, "create_biz", map[string]any{"bk_biz_id": 3, "name": "Elsewhere", "time_zone": "UTC"})
	})
	t.Run("bad input names its field with bk-job's code", func(t *testing.T) {
		resp, body := admin.do(t, http.MethodPost, "/api/web/create_biz", map[string]any{"bk_biz_id": 4, "name": "X", "time_zone": "Mars/Olympus"})
		requireWebError(t, resp, body, http.StatusBadRequest, 1241010, "time_zone")
		resp, body = admin.do(t, http.MethodPost, "/api/web/create_biz", payments)
		requireWebError(t, resp, body, http.StatusConflict, 1243902, "bk_biz_id")
		env := c.call(t, "create_biz", payments)
		require.Equal(t, 1243902, env.Code, env.Message)
		resp, body = admin.do(t, http.MethodPost, "/api/web/update_biz", map[string]any{"bk_biz_id": 2, "time_zone": "Nowhere/City"})
		requireWebError(t, resp, body, http.StatusBadRequest, 1241010, "time_zone")
		resp, body = admin.do(t, http.MethodPost, "/api/web/create_biz_set", map[string]any{"bk_biz_set_id": 8000001, "name": "S", "member_biz_ids": []int64{2, 99}})
		requireWebError(t, resp, body, http.StatusBadRequest, 1241010, "member_biz_ids")
	})
	t.Run("a business set over business 2", func(t *testing.T) {
		resp, body := admin.do(t, http.MethodPost, "/api/web/create_biz_set", map[string]any{"bk_biz_set_id": 8000001, "name": "Shop", "time_zone": "Europe/Berlin", "member_biz_ids": []int64{2}})
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		resp, body = admin.do(t, http.MethodPost, "/api/web/update_biz_set", map[string]any{"bk_biz_set_id": 8000001, "maintainers": []string{"carol"}})
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		require.Contains(t, string(body), `"maintainers":["carol"]`)
	})
	t.Run("the switcher's list is what the caller may use; the admin list is for admins", func(t *testing.T) {
		resp, body := admin.do(t, http.MethodPost, "/api/web/list_scopes", map[string]any{"length": 100})
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var page scopePage
		require.NoError(t, json.Unmarshal(body, &page))
		require.Equal(t, 4, page.Total, string(body))
		require.Equal(t, "biz_set", page.Data[3].Type)
		require.Equal(t, []int64{2}, page.Data[3].Members)
		resp, body = alice.do(t, http.MethodPost, "/api/web/list_scopes", map[string]any{})
		requireWebError(t, resp, body, http.StatusForbidden, 1238001, "")

		resp, body = admin.do(t, http.MethodPost, "/api/web/list_authorized_scopes", map[string]any{})
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		require.NoError(t, json.Unmarshal(body, &page))
		require.Len(t, page.Data, 4, string(body))
		resp, body = alice.do(t, http.MethodPost, "/api/web/list_authorized_scopes", map[string]any{})
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		require.JSONEq(t, `{"data":[]}`, string(body), "alice is granted no scope")
		_, body = ops.do(t, http.MethodPost, "/api/v3/list_authorized_scopes", map[string]any{})
		require.Contains(t, string(body), `"data":{"data":[]}`)
	})
}

// TestBizSetTargets: a task in a business set may target a host of a
// member business; a host of a business outside the set is an invalid
// target (status 2, INVALID_EXECUTE_OBJECT), never tried, as another
// business's host is for a business (executeimpl's ForeignHostNotRun).
func TestBizSetTargets(t *testing.T) {
	c := StartCluster(t)
	c.v3(t, "create_biz", map[string]any{"bk_biz_id": 2, "name": "Member", "time_zone": "UTC"})
	c.v3(t, "create_biz", map[string]any{"bk_biz_id": 3, "name": "Outsider", "time_zone": "UTC"})
	c.v3(t, "create_biz_set", map[string]any{"bk_biz_set_id": 8000002, "name": "Set", "member_biz_ids": []int64{2}})
	insertHost(t, c.DataDir, 2, "10.9.0.2")
	insertHost(t, c.DataDir, 3, "10.9.0.3")

	inSet := func(ip string) map[string]any {
		body := scriptBody("echo hi", []target{ipTarget(ip)}, nil)
		body["bk_scope_type"], body["bk_scope_id"] = "biz_set", "8000002"
		return body
	}
	var job created
	body := inSet("10.9.0.2")
	body["target_server"] = map[string]any{"ip_list": ipList(ipTarget("10.9.0.2"), ipTarget("10.9.0.3"))}
	c.v3Into(t, "fast_execute_script", body, &job)
	// The member's host is the set's: tried (its agent is not connected);
	// the outsider's is invalid (2) and never tried.
	setScope := map[string]any{"bk_scope_type": "biz_set", "bk_scope_id": "8000002", "job_instance_id": job.JobInstanceID, "return_ip_result": true}
	var st jobStatus
	poll(t, 60*time.Second, "the set's job never finished", func() (bool, string) {
		if ok, why := c.try("get_job_instance_status", setScope, &st); !ok {
			return false, why
		}
		return st.Finished, fmt.Sprintf("%+v", st)
	})
	require.Equal(t, 2, st.host(t, "10.9.0.3").Status, "INVALID_EXECUTE_OBJECT: %+v", st)
	require.NotEqual(t, 2, st.host(t, "10.9.0.2").Status, "%+v", st)
	env := c.call(t, "get_job_instance_status", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "2", "job_instance_id": job.JobInstanceID})
	require.NotZero(t, env.Code, "the set's job is not business 2's")

	hosts := c.v3(t, "list_biz_hosts", map[string]any{"bk_scope_type": "biz_set", "bk_scope_id": "8000002", "keyword": "10.9."})
	require.Contains(t, string(hosts), `"10.9.0.2"`)
	require.NotContains(t, string(hosts), `"10.9.0.3"`)
}

// insertHost adds an agent host of business biz to the server's database.
func insertHost(t *testing.T, dataDir string, biz int64, ip string) {
	t.Helper()
	ctx := context.Background()
	gdb, err := db.Open(ctx, config.DB{Driver: "sqlite", MaxOpenConns: 1}, dataDir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	defer func() { _ = db.Close(gdb) }()
	now := time.Now()
	require.NoError(t, gdb.Exec("INSERT INTO host (biz_id, cloud_id, ip, agent_id, alive, created_at, updated_at) VALUES (?, 0, ?, ?, 0, ?, ?)",
		biz, ip, "agent-"+ip, now, now).Error)
}

// ipTarget is a host named by its IP only.
type ipTarget string

func (i ipTarget) ip() string { return string(i) }
