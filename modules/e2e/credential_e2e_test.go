package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// codeCredentialNameExists is bkjob's v3 code for a credential name the
// business already uses (docs/api.md); codeCredentialNotExist is bk-job's
// CREDENTIAL_NOT_EXIST.
const (
	codeCredentialNameExists = 1243901
	codeCredentialNotExist   = 1243048
)

// TestV3Credentials checks the credential endpoints as a bk-job client sees
// them on the built binary: 32-hex string ids, get_credential_detail with
// bk-job's fields only and no secret, a duplicate name refused with its
// code (also when many clients race for it) and nothing changed by a
// refused write.
func TestV3Credentials(t *testing.T) {
	c := StartCluster(t)
	const secret = "e2e-s3cret-value"

	var ref struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	data := c.v3(t, "create_credential", scope(map[string]any{"name": "deploy key", "type": "USERNAME_PASSWORD",
		"description": "for deploys", "credential_username": "deploy", "credential_password": secret}))
	require.NoError(t, json.Unmarshal(data, &ref))
	require.Regexp(t, `^[0-9a-f]{32}$`, ref.ID, "bk-job's id: 32 hex digits, a JSON string")
	require.Equal(t, "deploy key", ref.Name)

	detail := func(t *testing.T, id string) map[string]any {
		t.Helper()
		_, raw := c.api.do(t, http.MethodGet, "/api/v3/get_credential_detail?bk_scope_type=biz&bk_scope_id=1&id="+id, nil)
		var env envelope
		require.NoError(t, json.Unmarshal(raw, &env), string(raw))
		require.True(t, env.Result, string(raw))
		require.NotContains(t, string(raw), secret)
		require.NotContains(t, string(raw), "******", "bk-job answers no value, not even masked")
		var got map[string]any
		require.NoError(t, json.Unmarshal(env.Data, &got))
		return got
	}

	t.Run("DetailHasBkJobFieldsOnly", func(t *testing.T) {
		got := detail(t, ref.ID)
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		require.ElementsMatch(t, []string{"bk_scope_type", "bk_scope_id", "id", "name", "type", "description",
			"creator", "create_time", "last_modify_user", "last_modify_time"}, keys)
		for _, k := range []string{"create_time", "last_modify_time"} {
			ms, ok := got[k].(float64)
			require.True(t, ok, "%s is a number (ms): %v", k, got[k])
			require.Positive(t, ms, k)
		}
		delete(got, "create_time")
		delete(got, "last_modify_time")
		require.Equal(t, map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "id": ref.ID, "name": "deploy key",
			"type": "USERNAME_PASSWORD", "description": "for deploys", "creator": "admin", "last_modify_user": "admin"}, got)
	})

	t.Run("DuplicateNameRefused", func(t *testing.T) {
		before := detail(t, ref.ID)
		env := c.call(t, "create_credential", scope(map[string]any{"name": " deploy key ", "type": "PASSWORD",
			"credential_password": "other"}))
		require.False(t, env.Result)
		require.Equal(t, codeCredentialNameExists, env.Code, env.Message)
		require.True(t, strings.HasPrefix(env.Message, "name: "), "message %q names the field", env.Message)

		var other struct {
			ID string `json:"id"`
		}
		c.v3Into(t, "create_credential", scope(map[string]any{"name": "other key", "type": "PASSWORD",
			"credential_password": "other"}), &other)
		env = c.call(t, "update_credential", scope(map[string]any{"id": other.ID, "name": "deploy key", "description": "x"}))
		require.False(t, env.Result)
		require.Equal(t, codeCredentialNameExists, env.Code, env.Message)
		require.True(t, strings.HasPrefix(env.Message, "name: "), "message %q names the field", env.Message)
		require.Equal(t, "other key", detail(t, other.ID)["name"], "a refused rename changes nothing")
		require.Empty(t, detail(t, other.ID)["description"])
		require.Equal(t, before, detail(t, ref.ID))
	})

	t.Run("ConcurrentCreatesOfOneName", func(t *testing.T) {
		const writers = 6
		envs := make([]envelope, writers)
		errList := make([]error, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				<-start
				envs[i], errList[i] = c.post("create_credential", scope(map[string]any{"name": "raced", "type": "PASSWORD",
					"credential_password": "x"}))
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for i, env := range envs {
			require.NoError(t, errList[i])
			if env.Result {
				won++
				continue
			}
			require.Equal(t, codeCredentialNameExists, env.Code, env.Message)
		}
		require.Equal(t, 1, won, "exactly one create wins")
	})

	t.Run("Ids", func(t *testing.T) {
		var upd struct {
			ID string `json:"id"`
		}
		c.v3Into(t, "update_credential", scope(map[string]any{"id": strings.ToUpper(ref.ID), "description": "renamed"}), &upd)
		require.Equal(t, ref.ID, upd.ID, "an id in capitals names the same credential; the answer is canonical")

		for _, tc := range []struct {
			name string
			id   any
			code int
		}{
			{"well formed, unknown", "0123456789abcdef0123456789abcdef", codeCredentialNotExist},
			{"old integer id as a number", 12, 1241005},
			{"old integer id as a string", "12", 1241010},
			{"uuid with dashes", ref.ID[:8] + "-" + ref.ID[8:12] + "-" + ref.ID[12:16] + "-" + ref.ID[16:20] + "-" + ref.ID[20:], 1241010},
			{"missing", nil, 1241004},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := scope(map[string]any{})
				if tc.id != nil {
					body["id"] = tc.id
				}
				env := c.call(t, "get_credential_detail", body)
				require.False(t, env.Result)
				require.Equal(t, tc.code, env.Code, env.Message)
				require.True(t, strings.HasPrefix(env.Message, "id: "), "message %q names the field", env.Message)
			})
		}
	})
}
