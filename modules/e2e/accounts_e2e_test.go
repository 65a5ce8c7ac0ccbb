package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/user"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// account is get_account_list's item as a bk-job client reads it.
type v3Account struct {
	ID                int64  `json:"id"`
	Account           string `json:"account"`
	Alias             string `json:"alias"`
	Category          int    `json:"category"`
	Type              int    `json:"type"`
	OS                string `json:"os"`
	DBSystemAccountID *int64 `json:"db_system_account_id"`
	DBPort            int    `json:"db_port"`
}

type v3AccountPage struct {
	Start int         `json:"start"`
	Total int         `json:"total"`
	Data  []v3Account `json:"data"`
}

// TestV3Accounts drives the account endpoints on the built binary: the
// built-in root, create / update / delete with bk-job's codes, passwords
// never in an answer or the server's log, runs resolving account_alias and
// account_id through the table, and callers without the business refused.
func TestV3Accounts(t *testing.T) {
	c := StartCluster(t, "BKJOB_ADMIN_PASSWORD=admin-pass", "BKJOB_LOG__LEVEL=debug")
	const winSecret, dbSecret = "e2e-Win-Secret-7", "e2e-Db-Secret-8"
	list := func(t *testing.T, q string) v3AccountPage {
		t.Helper()
		_, raw := c.api.do(t, http.MethodGet, "/api/v3/get_account_list?bk_scope_type=biz&bk_scope_id=1"+q, nil)
		var env envelope
		require.NoError(t, json.Unmarshal(raw, &env), string(raw))
		require.True(t, env.Result, string(raw))
		require.NotContains(t, string(raw), winSecret)
		require.NotContains(t, string(raw), dbSecret)
		require.NotContains(t, string(raw), "password")
		var page v3AccountPage
		require.NoError(t, json.Unmarshal(env.Data, &page))
		return page
	}
	page := list(t, "")
	require.Equal(t, 1, page.Total)
	root := page.Data[0]
	require.Equal(t, v3Account{ID: root.ID, Account: "root", Alias: "root", Category: 1, Type: 1, OS: "Linux"}, root)

	// The agent runs as this user; an account of that name can run on it.
	self, err := user.Current()
	require.NoError(t, err)
	var linux, win, mysql v3Account
	c.v3Into(t, "create_account", scope(map[string]any{"account": self.Username, "type": 1, "category": 1,
		"alias": "e2e-runner", "description": "runs the e2e scripts"}), &linux)
	require.Equal(t, "e2e-runner", linux.Alias)
	data := c.v3(t, "create_account", scope(map[string]any{"account": "Administrator", "type": 2, "category": 1,
		"password": winSecret, "alias": "win-admin"}))
	require.NotContains(t, string(data), winSecret)
	require.NoError(t, json.Unmarshal(data, &win))
	require.Equal(t, "Windows", win.OS)
	data = c.v3(t, "create_account", scope(map[string]any{"account": "app_ro", "type": 9, "category": 2,
		"db_password": dbSecret, "db_port": "3306", "db_system_account_id": linux.ID, "alias": "mysql-ro"}))
	require.NotContains(t, string(data), dbSecret)
	require.NoError(t, json.Unmarshal(data, &mysql))
	require.Equal(t, linux.ID, *mysql.DBSystemAccountID)
	require.Equal(t, 3306, mysql.DBPort)

	require.Equal(t, 3, list(t, "&category=1").Total)
	require.Equal(t, []v3Account{mysql}, list(t, "&category=2").Data)
	require.Equal(t, "win-admin", list(t, "&alias=win").Data[0].Alias)
	p := list(t, "&start=1&length=2")
	require.Equal(t, 4, p.Total)
	require.Len(t, p.Data, 2)

	t.Run("Codes", func(t *testing.T) {
		for _, tc := range []struct {
			name, endpoint string
			body           map[string]any
			code           int
			field          string
		}{
			{"duplicate alias", "create_account", map[string]any{"account": "x", "type": 1, "category": 1, "alias": "win-admin"}, 1243007, "alias"},
			{"root's alias", "create_account", map[string]any{"account": "admin", "type": 1, "category": 1, "alias": "root"}, 1243007, "alias"},
			{"windows without password", "create_account", map[string]any{"account": "adm", "type": 2, "category": 1}, 1241004, "password"},
			{"bad linux name", "create_account", map[string]any{"account": "a b", "type": 1, "category": 1}, 1241010, "account"},
			{"type not of category", "create_account", map[string]any{"account": "a", "type": 9, "category": 1}, 1241010, "type"},
			{"type as text", "create_account", map[string]any{"account": "a", "type": "linux", "category": 1}, 1241005, "type"},
			{"db system account is a db account", "create_account", map[string]any{"account": "u", "type": 9, "category": 2,
				"db_password": "p", "db_port": 1, "db_system_account_id": mysql.ID}, 1243008, "db_system_account_id"},
			{"unknown id", "delete_account", map[string]any{"id": 999999}, 1244003, "id"},
			{"in use", "delete_account", map[string]any{"id": linux.ID}, 1243014, "id"},
			{"built-in root", "delete_account", map[string]any{"id": root.ID}, 1241003, "id"},
			{"rename root", "update_account", map[string]any{"id": root.ID, "alias": "admin"}, 1241003, "alias"},
			{"alias taken on update", "update_account", map[string]any{"id": win.ID, "alias": "mysql-ro"}, 1243007, "alias"},
			{"password on linux", "update_account", map[string]any{"id": linux.ID, "password": "x"}, 1241010, "password"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				env := c.call(t, tc.endpoint, scope(tc.body))
				require.False(t, env.Result)
				require.Equal(t, tc.code, env.Code, env.Message)
				require.Contains(t, env.Message, tc.field, "the message names the field")
			})
		}
		env := c.call(t, "delete_account", scope(map[string]any{"id": linux.ID}))
		require.Contains(t, env.Message, "mysql-ro", "the refusal names the reference")
		_, raw := c.api.do(t, http.MethodGet, "/api/v3/delete_account?bk_scope_type=biz&bk_scope_id=1&id="+fmt.Sprint(win.ID), nil)
		require.Contains(t, string(raw), `"code":1239003`, "delete is POST only")
		require.Equal(t, 4, list(t, "").Total, "nothing refused was written or deleted")
	})

	t.Run("RunsResolveThroughAccounts", func(t *testing.T) {
		agent := StartAgent(t, c, "127.0.0.61", AgentOptions{})
		job := c.runScript(t, "echo ran-as=$(id -un)", []target{agent}, map[string]any{"account_alias": "e2e-runner"})
		require.Equal(t, 3, c.waitJob(t, job.JobInstanceID, 60*time.Second).JobInstance.Status)
		require.Contains(t, c.hostLog(t, job, agent.ip()), "ran-as="+self.Username)
		job = c.runScript(t, "echo by-id", []target{agent}, map[string]any{"account_alias": "", "account_id": linux.ID})
		require.Equal(t, 3, c.waitJob(t, job.JobInstanceID, 60*time.Second).JobInstance.Status)
		job = c.runScript(t, "echo by-root", []target{agent}, nil)
		require.Equal(t, 3, c.waitJob(t, job.JobInstanceID, 60*time.Second).JobInstance.Status, "the built-in root still runs")
		for _, tc := range []struct {
			name  string
			extra map[string]any
			code  int
			field string
		}{
			{"unknown alias", map[string]any{"account_alias": "nobody-here"}, 1244003, "account_alias"},
			{"unknown id", map[string]any{"account_alias": "", "account_id": 999999}, 1244003, "account_id"},
			{"database account", map[string]any{"account_alias": "mysql-ro"}, 1241010, "account_alias"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				env := c.call(t, "fast_execute_script", scriptBody("echo no", []target{agent}, tc.extra))
				require.False(t, env.Result)
				require.Equal(t, tc.code, env.Code, env.Message)
				require.Contains(t, env.Message, tc.field)
			})
		}
	})

	t.Run("OtherBusinessesAndCallers", func(t *testing.T) {
		insertBusiness(t, c.DataDir, 2)
		body2 := func(f map[string]any) map[string]any {
			f["bk_scope_type"], f["bk_scope_id"] = "biz", "2"
			return f
		}
		var page2 v3AccountPage
		c.v3Into(t, "get_account_list", body2(map[string]any{}), &page2)
		require.Equal(t, 1, page2.Total, "business 2 has its own root and none of business 1's accounts")
		require.Equal(t, "root", page2.Data[0].Alias)
		for _, tc := range []struct {
			endpoint string
			body     map[string]any
		}{
			{"delete_account", map[string]any{"id": win.ID}},
			{"update_account", map[string]any{"id": win.ID, "description": "hijacked"}},
		} {
			env := c.call(t, tc.endpoint, body2(tc.body))
			require.False(t, env.Result)
			require.Equal(t, 1244003, env.Code, env.Message)
		}
		env := c.call(t, "fast_execute_script", body2(scriptBody("echo x", nil, map[string]any{"account_alias": "win-admin",
			"target_server": map[string]any{"ip_list": []map[string]any{{"bk_cloud_id": 0, "ip": "127.0.0.61"}}}})))
		require.False(t, env.Result)

		// Callers without the business: an app without all_scopes, a
		// user who is not an administrator (bkjob has no per-business
		// grants yet: they reach no business at all).
		insertPrincipals(t, c.DataDir)
		ops := &API{Base: c.URL, Header: http.Header{"X-Bkapi-Authorization": {`{"bk_app_code":"ops","bk_app_secret":"ops-secret"}`}}}
		alice := webSession(t, c.URL, "alice", "alice-pass")
		for _, tc := range []struct {
			name string
			body map[string]any
		}{
			{"get_account_list", map[string]any{}},
			{"create_account", map[string]any{"account": "evil", "type": 1, "category": 1}},
			{"update_account", map[string]any{"id": win.ID, "description": "hijacked"}},
			{"delete_account", map[string]any{"id": win.ID}},
		} {
			_, raw := ops.do(t, http.MethodPost, "/api/v3/"+tc.name, scope(tc.body))
			require.Contains(t, string(raw), `"code":1238001`, "%s: %s", tc.name, raw)
			resp, raw := alice.do(t, http.MethodPost, "/api/web/"+tc.name, scope(tc.body))
			require.Equal(t, http.StatusForbidden, resp.StatusCode, "%s: %s", tc.name, raw)
			require.NotContains(t, string(raw), "win-admin")
		}
		got := list(t, "&alias=win-admin").Data[0]
		require.Equal(t, win, got, "nothing changed")
	})

	t.Run("UpdateAndDelete", func(t *testing.T) {
		var up v3Account
		c.v3Into(t, "update_account", scope(map[string]any{"id": win.ID, "password": winSecret + "-new", "description": "rotated"}), &up)
		require.Equal(t, "win-admin", up.Alias)
		c.v3(t, "delete_account", scope(map[string]any{"id": mysql.ID}))
		c.v3(t, "delete_account", scope(map[string]any{"id": linux.ID}))
		require.Equal(t, 2, list(t, "").Total)
	})

	// Passwords are never in the server's output (debug logs included) nor
	// in its database in clear.
	out := c.Output.String()
	require.NotContains(t, out, winSecret)
	require.NotContains(t, out, dbSecret)
	for _, f := range []string{"bkjob.db", "bkjob.db-wal"} {
		raw, err := os.ReadFile(c.DataDir + "/" + f)
		if err == nil {
			require.False(t, strings.Contains(string(raw), winSecret) || strings.Contains(string(raw), dbSecret), "a clear password in %s", f)
		}
	}
}
