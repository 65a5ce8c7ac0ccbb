package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestV3CodeTable triggers the rows of docs/api.md's code table on the
// built binary and checks bk-job's HTTP status and code, and that the
// message names the parameter where the table says so.
func TestV3CodeTable(t *testing.T) {
	c := StartCluster(t)
	now := time.Now().UnixMilli()
	js := func(v map[string]any) string {
		b, err := json.Marshal(scope(v))
		require.NoError(t, err)
		return string(b)
	}
	// A credential for the "name taken" row to collide with.
	c.v3(t, "create_credential", scope(map[string]any{"name": "taken", "type": "PASSWORD", "credential_password": "x"}))
	tests := []struct {
		row, method, name, body string
		anonymous               bool
		status, code            int
		field                   string
	}{
		{"success", "POST", "get_job_instance_list", js(map[string]any{"create_time_start": now - 3600_000, "create_time_end": now}), false, 200, 0, ""},
		{"required parameter missing", "POST", "operate_job_instance", js(map[string]any{"operation_code": 1}), false, 200, 1241004, "job_instance_id"},
		{"parameter of the wrong type", "POST", "get_job_instance_status", js(map[string]any{"job_instance_id": []int{1}}), false, 200, 1241005, "job_instance_id"},
		{"parameter invalid with a reason", "POST", "get_job_instance_list", js(map[string]any{"create_time_start": now - 1000, "create_time_end": now, "length": 5000}), false, 200, 1241010, "length"},
		{"body not JSON", "POST", "get_job_instance_list", "{", false, 200, 1239004, ""},
		{"parameter not supported yet", "POST", "fast_execute_script", js(map[string]any{"host_password_list": []map[string]any{{"host_id": 1, "encrypted_password": "x"}}}), false, 200, 1241011, "host_password_list"},
		{"unknown endpoint", "POST", "no_such_endpoint", "{}", false, 200, 1239003, ""},
		{"GET on a POST-only endpoint", "GET", "fast_execute_script?bk_scope_type=biz&bk_scope_id=1", "", false, 200, 1239003, ""},
		{"job instance not found", "POST", "get_job_instance_status", js(map[string]any{"job_instance_id": 987654321}), false, 200, 1244006, ""},
		{"integer sent as a JSON string", "POST", "get_job_instance_status", js(map[string]any{"job_instance_id": "987654321"}), false, 200, 1244006, ""},
		{"JSON string that is not an integer", "POST", "get_job_instance_status", js(map[string]any{"job_instance_id": "2.5"}), false, 200, 1241005, "job_instance_id"},
		{"credential not found", "POST", "get_credential_detail", js(map[string]any{"id": "0123456789abcdef0123456789abcdef"}), false, 200, 1243048, ""},
		{"credential name taken", "POST", "create_credential", js(map[string]any{"name": "taken", "type": "PASSWORD", "credential_password": "x"}), false, 200, 1243901, "name"},
		{"app credentials missing", "POST", "get_job_instance_list", js(nil), true, 401, 1240005, ""},
	}
	for _, tt := range tests {
		t.Run(tt.row, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, c.URL+"/api/v3/"+tt.name, body)
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			if !tt.anonymous {
				for k, v := range c.api.Header {
					req.Header[k] = v
				}
			}
			resp, err := c.Client.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			var env envelope
			require.NoError(t, json.Unmarshal(raw, &env), string(raw))
			require.Equal(t, tt.status, resp.StatusCode, string(raw))
			require.Equal(t, tt.code, env.Code, string(raw))
			require.Equal(t, tt.code == 0, env.Result, string(raw))
			if tt.field != "" {
				require.Contains(t, env.Message, tt.field, string(raw))
			}
		})
	}
}
