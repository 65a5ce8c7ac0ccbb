package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGlobalSettingsAPI: every signed-in user reads the global settings;
// only administrators change them (bk-job's 1238001 otherwise); the upload
// settings refuse a push_config_file file by extension and by size,
// naming the file's field, before anything is staged or created.
func TestGlobalSettingsAPI(t *testing.T) {
	c := StartCluster(t, "BKJOB_ADMIN_PASSWORD=admin-pass")
	insertPrincipals(t, c.DataDir)
	admin := webSession(t, c.URL, "admin", "admin-pass")
	alice := webSession(t, c.URL, "alice", "alice-pass")
	type settings struct {
		PlatformInfo struct {
			Title string `json:"title"`
		} `json:"platform_info"`
		ScriptTemplates []struct {
			ScriptLanguage int    `json:"script_language"`
			Content        string `json:"content"`
		} `json:"script_templates"`
		UpdatedBy string `json:"last_modify_user"`
	}
	read := func(a *API) settings {
		resp, body := a.do(t, http.MethodPost, "/api/web/get_global_settings", map[string]any{})
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var s settings
		require.NoError(t, json.Unmarshal(body, &s))
		return s
	}

	got := read(alice)
	require.Len(t, got.ScriptTemplates, 6, "everyone reads the templates the editor starts from")
	require.Contains(t, got.ScriptTemplates[0].Content, "job_success")

	change := map[string]any{"platform_info": map[string]any{"title": "Alice's"}}
	resp, body := alice.do(t, http.MethodPost, "/api/web/update_global_settings", change)
	requireWebError(t, resp, body, http.StatusForbidden, 1238001, "")
	require.Empty(t, read(admin).PlatformInfo.Title, "nothing changed")

	resp, body = admin.do(t, http.MethodPost, "/api/web/update_global_settings", map[string]any{
		"platform_info": map[string]any{"title": "Ops Jobs"},
		"file_upload":   map[string]any{"max_size_bytes": 64, "extension_mode": "deny", "extension_list": []string{"sh"}}})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	got = read(alice)
	require.Equal(t, "Ops Jobs", got.PlatformInfo.Title)
	require.Equal(t, "admin", got.UpdatedBy)

	push := func(name, content string) map[string]any {
		return map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "account_alias": "root", "file_target_path": "/tmp/bkjob-e2e-never/",
			"file_list":     []map[string]any{{"file_name": "ok.conf", "content": b64("k=v\n")}, {"file_name": name, "content": b64(content)}},
			"target_server": map[string]any{"ip_list": []map[string]any{{"bk_cloud_id": 0, "ip": "127.0.0.250"}}}}
	}
	resp, body = admin.do(t, http.MethodPost, "/api/web/push_config_file", push("run.SH", "echo\n"))
	requireWebError(t, resp, body, http.StatusBadRequest, 1241010, "file_list[1].file_name")
	require.Contains(t, string(body), "refuses files ending in .sh")
	resp, body = admin.do(t, http.MethodPost, "/api/web/push_config_file", push("big.conf", strings.Repeat("x", 65)))
	requireWebError(t, resp, body, http.StatusBadRequest, 1241010, "file_list[1].content")
	require.Contains(t, string(body), "at most 64 bytes")
	resp, body = admin.do(t, http.MethodPost, "/api/web/push_config_file", push("small.conf", "k=v\n"))
	require.Equal(t, http.StatusOK, resp.StatusCode, "within the settings: %s", body)
}
