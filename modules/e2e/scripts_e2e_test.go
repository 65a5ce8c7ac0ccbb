package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// scriptVersionOut is the fields of a script version the tests read.
type scriptVersionOut struct {
	ID       int64  `json:"id"`
	ScriptID string `json:"script_id"`
	Version  string `json:"version"`
	Content  string `json:"content"`
	Status   int    `json:"status"`
}

// asApp calls v3 endpoint name as app code (its secret) with the admin's
// user name: what a client of another app sees.
func asApp(t *testing.T, c *Cluster, code, secret, name string, body any) envelope {
	t.Helper()
	auth, err := json.Marshal(map[string]string{"bk_app_code": code, "bk_app_secret": secret, "bk_username": "admin"})
	require.NoError(t, err)
	api := &API{Base: c.URL, Header: http.Header{"X-Bkapi-Authorization": {string(auth)}}}
	_, raw := api.do(t, http.MethodPost, "/api/v3/"+name, body)
	var env envelope
	require.NoError(t, json.Unmarshal(raw, &env), string(raw))
	return env
}

// TestV3Scripts runs the script library as a bk-job client does on the
// built binary: create, version, publish, run by script_id and by
// script_version_id (the task records the content that ran), the status
// rules at run time (draft 1244018, disabled 1244014), another
// business's ids, and the public library's doors.
func TestV3Scripts(t *testing.T) {
	c := StartCluster(t, "BKJOB_GSE__LOCAL_AGENT__ENABLED=true", "BKJOB_GSE__LOCAL_AGENT__IP=127.0.0.1")
	require.Eventually(t, func() bool { return strings.Contains(c.Output.String(), `msg="agent connected" role=gse`) },
		60*time.Second, 50*time.Millisecond, "the built-in agent never connected")
	insertPrincipals(t, c.DataDir) // app "ops": authenticated, granted no scope
	execSQL(t, c.DataDir, "INSERT INTO application (id, scope_type, scope_id, name, timezone, language, is_deleted, created_at, updated_at) VALUES (2, 'biz', '2', 'Other', 'UTC', 'en', 0, ?, ?)", time.Now(), time.Now())
	local := []target{fixedIP("127.0.0.1")}

	var v1 scriptVersionOut
	c.v3Into(t, "create_script", scope(map[string]any{"name": "hello", "script_language": 1,
		"content": b64("#!/bin/bash\necho from-v1\n"), "version": "1.0"}), &v1)
	require.Equal(t, 0, v1.Status)
	require.Equal(t, "#!/bin/bash\necho from-v1\n", v1.Content)

	run := func(extra map[string]any) envelope {
		body := scriptBody("", local, extra)
		delete(body, "script_content")
		delete(body, "script_language")
		return c.call(t, "fast_execute_script", body)
	}

	t.Run("DraftRefused", func(t *testing.T) {
		env := run(map[string]any{"script_version_id": v1.ID})
		require.Equal(t, 1244018, env.Code, env.Message)
		env = run(map[string]any{"script_id": v1.ScriptID})
		require.Equal(t, 1244018, env.Code, env.Message)
	})

	c.v3(t, "publish_script_version", scope(map[string]any{"script_id": v1.ScriptID, "script_version_id": v1.ID}))
	var v2 scriptVersionOut
	c.v3Into(t, "create_script_version", scope(map[string]any{"script_id": v1.ScriptID, "content": b64("echo from-v2\n"), "version": "2.0"}), &v2)

	t.Run("RunsTheOnlineVersionAndRecordsIt", func(t *testing.T) {
		env := run(map[string]any{"script_id": v1.ScriptID})
		require.True(t, env.Result, env.Message)
		var job created
		require.NoError(t, json.Unmarshal(env.Data, &job))
		c.waitLog(t, job, "127.0.0.1", "from-v1", time.Minute)
		var detail struct {
			ScriptInfo struct {
				ScriptType      int    `json:"script_type"`
				ScriptID        string `json:"script_id"`
				ScriptVersionID int64  `json:"script_version_id"`
				ScriptContent   string `json:"script_content"`
			} `json:"script_info"`
		}
		c.v3Into(t, "get_step_instance_detail", scope(map[string]any{"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID}), &detail)
		require.Equal(t, 2, detail.ScriptInfo.ScriptType, "a business script")
		require.Equal(t, v1.ID, detail.ScriptInfo.ScriptVersionID)
		require.Equal(t, v1.ScriptID, detail.ScriptInfo.ScriptID)
		require.Contains(t, detail.ScriptInfo.ScriptContent, "from-v1")
	})

	t.Run("OfflineRunsDisabledRefused", func(t *testing.T) {
		c.v3(t, "publish_script_version", scope(map[string]any{"script_id": v1.ScriptID, "script_version_id": v2.ID}))
		env := run(map[string]any{"script_version_id": v1.ID})
		require.True(t, env.Result, "an offline version runs by id: %s", env.Message)
		var job created
		require.NoError(t, json.Unmarshal(env.Data, &job))
		c.waitLog(t, job, "127.0.0.1", "from-v1", time.Minute)

		c.v3(t, "disable_script_version", scope(map[string]any{"script_id": v1.ScriptID, "script_version_id": v1.ID}))
		env = run(map[string]any{"script_version_id": v1.ID})
		require.Equal(t, 1244014, env.Code, env.Message)
		require.True(t, strings.HasPrefix(env.Message, "script_version_id: "), env.Message)
	})

	t.Run("OtherBusinessSeesNothing", func(t *testing.T) {
		other := func(name string, extra map[string]any) envelope {
			body := map[string]any{"bk_scope_type": "biz", "bk_scope_id": "2"}
			for k, v := range extra {
				body[k] = v
			}
			return c.call(t, name, body)
		}
		require.Equal(t, 1243001, other("get_script_version_list", map[string]any{"script_id": v1.ScriptID}).Code)
		require.Equal(t, 1243047, other("get_script_version_detail", map[string]any{"id": v2.ID}).Code)
		require.Equal(t, 1243001, other("delete_script", map[string]any{"script_id": v1.ScriptID}).Code)
		require.Equal(t, 1243001, other("update_script_basic", map[string]any{"script_id": v1.ScriptID, "name": "x"}).Code)
		env := other("fast_execute_script", map[string]any{"script_version_id": v2.ID, "account_alias": "root",
			"target_server": map[string]any{"ip_list": ipList(local...)}})
		require.Equal(t, 1243047, env.Code, env.Message)
		var list struct {
			Total int `json:"total"`
		}
		c.v3Into(t, "get_script_list", scope(nil), &list)
		require.Equal(t, 1, list.Total, "nothing was deleted")
		// An app granted no business is refused before anything is read.
		require.Equal(t, 1238001, asApp(t, c, "ops", "ops-secret", "get_script_list", scope(nil)).Code)
	})

	t.Run("HostileInput", func(t *testing.T) {
		for _, tt := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"name": "x", "script_language": 1, "content": "!!!", "version": "1"}, "content"},
			{map[string]any{"name": "x", "script_language": 1, "content": b64(strings.Repeat("a", 5*1024*1024+1)), "version": "1"}, "content"},
			{map[string]any{"name": "x", "script_language": 9, "content": b64("x"), "version": "1"}, "script_language"},
		} {
			env := c.call(t, "create_script", scope(tt.body))
			require.False(t, env.Result)
			require.True(t, strings.HasPrefix(env.Message, tt.field+": "), env.Message)
		}
		env := c.call(t, "create_script", scope(map[string]any{"name": "hello", "script_language": 1, "content": b64("x"), "version": "1"}))
		require.Equal(t, 1243002, env.Code)
		env = c.call(t, "create_script_version", scope(map[string]any{"script_id": v1.ScriptID, "content": b64("x"), "version": "2.0"}))
		require.Equal(t, 1243036, env.Code)
		env = c.call(t, "delete_script_version", scope(map[string]any{"script_id": v1.ScriptID, "script_version_id": v2.ID}))
		require.Equal(t, 1243005, env.Code)
		env = c.call(t, "update_script_version", scope(map[string]any{"script_id": v1.ScriptID, "script_version_id": v2.ID, "content": b64("y")}))
		require.Equal(t, 1241003, env.Code)
	})

	t.Run("PublicLibrary", func(t *testing.T) {
		var pv scriptVersionOut
		c.v3Into(t, "create_public_script", map[string]any{"name": "shared", "script_language": 1, "content": b64("echo public\n"), "version": "1"}, &pv)
		// Writes are for administrators; reads for every caller.
		require.Equal(t, 1238001, asApp(t, c, "ops", "ops-secret", "create_public_script",
			map[string]any{"name": "mine", "script_language": 1, "content": b64("x"), "version": "1"}).Code)
		require.Equal(t, 1238001, asApp(t, c, "ops", "ops-secret", "publish_public_script_version",
			map[string]any{"script_id": pv.ScriptID, "script_version_id": pv.ID}).Code)
		env := asApp(t, c, "ops", "ops-secret", "get_public_script_list", map[string]any{})
		require.True(t, env.Result, env.Message)
		require.Contains(t, string(env.Data), pv.ScriptID)
		// A business's endpoints do not reach the public library.
		require.Equal(t, 1243001, c.call(t, "publish_script_version", scope(map[string]any{"script_id": pv.ScriptID, "script_version_id": pv.ID})).Code)
		c.v3(t, "publish_public_script_version", map[string]any{"script_id": pv.ScriptID, "script_version_id": pv.ID})
		env = run(map[string]any{"script_version_id": pv.ID})
		require.True(t, env.Result, env.Message)
		var job created
		require.NoError(t, json.Unmarshal(env.Data, &job))
		c.waitLog(t, job, "127.0.0.1", "public", time.Minute)

		// The web API's doors are the same: a user who is no administrator
		// reads the public library and cannot change it, nor read a
		// business it was not granted.
		alice := webSession(t, c.URL, "alice", "alice-pass")
		resp, body := alice.do(t, http.MethodPost, "/api/web/get_public_script_list", map[string]any{})
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		require.Contains(t, string(body), pv.ScriptID)
		resp, body = alice.do(t, http.MethodPost, "/api/web/delete_public_script", map[string]any{"script_id": pv.ScriptID})
		requireWebError(t, resp, body, http.StatusForbidden, 1238001, "")
		resp, body = alice.do(t, http.MethodPost, "/api/web/get_script_list", scope(nil))
		require.Equal(t, http.StatusForbidden, resp.StatusCode, string(body))
		c.v3Into(t, "get_public_script_version_detail", map[string]any{"id": pv.ID}, &pv)
		require.Equal(t, "echo public\n", pv.Content, "nothing was deleted")
	})
}
