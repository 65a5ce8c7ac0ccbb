package e2e

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestInputRefusedOverTheBus: with every call forced over the bus, bad
// input is refused cleanly (HTTP 200, result false, bk-job's
// ILLEGAL_PARAM_WITH_PARAM_NAME_AND_REASON 1241010, or 1241005 for a value
// of the wrong JSON type, the API field named, no server
// path in the message) and leaves nothing staged; config file names that
// clash with the blob store's own files are accepted.
func TestInputRefusedOverTheBus(t *testing.T) {
	c := StartCluster(t, "BKJOB_BUS__FORCE_REMOTE=true")
	target := map[string]any{"ip_list": []map[string]any{{"bk_cloud_id": 0, "ip": "127.0.0.250"}}}
	push := func(names ...string) map[string]any {
		var files []map[string]any
		for _, n := range names {
			files = append(files, map[string]any{"file_name": n, "content": b64("k=v\n")})
		}
		return scope(map[string]any{"account_alias": "root", "file_target_path": "/tmp/bkjob-e2e-never/",
			"file_list": files, "target_server": target})
	}
	transfer := func(p string) map[string]any {
		return scope(map[string]any{"account_alias": "root", "file_target_path": "/tmp/bkjob-e2e-never/",
			"file_source_list": []map[string]any{{"file_list": []string{p}, "account": map[string]any{"alias": "root"},
				"server": target}}, "target_server": target})
	}
	staged := func() []string {
		var out []string
		_ = filepath.WalkDir(filepath.Join(c.DataDir, "files"), func(p string, _ fs.DirEntry, err error) error {
			if err == nil {
				out = append(out, p)
			}
			return nil
		})
		return out
	}
	before := staged()

	for _, tc := range []struct {
		name, endpoint string
		body           map[string]any
		field          string
		code           int
	}{
		{"NUL in a config file name", "push_config_file", push("a\x00b.conf"), "file_list[0].file_name", 1241010},
		{"300-byte config file name", "push_config_file", push(strings.Repeat("n", 300)), "file_list[0].file_name", 1241010},
		{"config file name with /", "push_config_file", push("ok.conf", "../x.conf"), "file_list[1].file_name", 1241010},
		{"source path with ..", "fast_transfer_file", transfer("/data/../etc/shadow"), "file_source_list[0].file_list[0]", 1241010},
		{"source path with NUL", "fast_transfer_file", transfer("/etc/hosts\x00"), "file_source_list[0].file_list[0]", 1241010},
		{"relative source path", "fast_transfer_file", transfer("etc/hosts"), "file_source_list[0].file_list[0]", 1241010},
		{"unbalanced quote in script_param", "fast_execute_script", scope(map[string]any{"script_content": b64("echo x"), "script_language": 1,
			"script_param": b64(`a 'b`), "account_alias": "root", "target_server": target}), "script_param", 1241010},
		{"wrong JSON type in an embedded field", "fast_execute_script", scope(map[string]any{"bk_scope_id": []string{"1"}}), "bk_scope_id", 1241005},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := c.call(t, tc.endpoint, tc.body)
			require.False(t, env.Result, "accepted: %s", env.Data)
			require.Equal(t, tc.code, env.Code, env.Message)
			require.True(t, strings.HasPrefix(env.Message, tc.field+": "), "the message names the API field: %s", env.Message)
			require.NotContains(t, env.Message, "ScopeRef")
			require.NotContains(t, env.Message, c.DataDir)
			require.NotContains(t, env.Message, "internal error")
		})
	}
	require.Equal(t, before, staged(), "a refused call stages nothing")

	for _, name := range []string{"app.sha256", ".tmp-config", ".env"} {
		env := c.call(t, "push_config_file", push(name))
		require.True(t, env.Result, "%s: code %d: %s", name, env.Code, env.Message)
	}
}
