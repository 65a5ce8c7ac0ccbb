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
	"golang.org/x/crypto/bcrypt"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
)

// TestAuthScopesAndLoginLimits runs against a real server: a user who is
// not an admin, and an app without all_scopes (both written straight into
// the database, as there is no user or app API yet), are refused a job's
// scope on the v3 API (1238001 with the permission object) and its log on
// the live stream and the export (403); repeated wrong passwords lock the
// user out (429 with Retry-After) even for the right one.
func TestAuthScopesAndLoginLimits(t *testing.T) {
	c := StartCluster(t, "BKJOB_ADMIN_PASSWORD=admin-pass")
	agent := StartAgent(t, c, "127.0.0.33", AgentOptions{})
	job := c.runScript(t, "echo confidential-output", []target{agent}, nil)
	c.waitJob(t, job.JobInstanceID, 60*time.Second)
	insertPrincipals(t, c.DataDir)

	// v3: the app without all_scopes is refused, with what to apply for.
	ops := &API{Base: c.URL, Header: http.Header{"X-Bkapi-Authorization": {`{"bk_app_code":"ops","bk_app_secret":"ops-secret"}`}}}
	resp, body := ops.do(t, http.MethodPost, "/api/v3/get_job_instance_status", scope(map[string]any{"job_instance_id": job.JobInstanceID}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var env struct {
		Result     bool `json:"result"`
		Code       int  `json:"code"`
		Permission struct {
			SystemID string `json:"system_id"`
			Actions  []struct {
				ID    string `json:"id"`
				Types []struct {
					Type      string `json:"type"`
					Instances [][]struct {
						ID string `json:"id"`
					} `json:"instances"`
				} `json:"related_resource_types"`
			} `json:"actions"`
		} `json:"permission"`
	}
	require.NoError(t, json.Unmarshal(body, &env), string(body))
	require.False(t, env.Result)
	require.Equal(t, 1238001, env.Code, string(body))
	require.Equal(t, "bk_job", env.Permission.SystemID)
	require.Equal(t, "access_business", env.Permission.Actions[0].ID)
	require.Equal(t, "1", env.Permission.Actions[0].Types[0].Instances[0][0].ID)
	require.NotContains(t, string(body), "confidential")

	// web: alice may log in but reads no step's log.
	alice := webSession(t, c.URL, "alice", "alice-pass")
	admin := webSession(t, c.URL, "admin", "admin-pass")
	for _, path := range []string{
		fmt.Sprintf("/api/web/logs/stream?step_instance_id=%d&host_id=%d", job.StepInstanceID, agent.HostID(t)),
		fmt.Sprintf("/api/web/logs/export?step_instance_id=%d", job.StepInstanceID),
	} {
		resp, body := alice.do(t, http.MethodGet, path, nil)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, "%s: %s", path, body)
		require.Contains(t, string(body), `"code":1238001`)
		require.Contains(t, string(body), `"id":"view_history"`)
		require.NotContains(t, string(body), "confidential")
		resp, body = admin.do(t, http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, body)
	}

	// Login limits: auth.max_failures (10) wrong passwords lock alice out.
	anon := &API{Base: c.URL}
	for i := range 10 {
		resp, _ := anon.do(t, http.MethodPost, "/api/web/login", map[string]string{"username": "alice", "password": "guess"})
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "guess %d", i+1)
	}
	resp, body = anon.do(t, http.MethodPost, "/api/web/login", map[string]string{"username": "alice", "password": "alice-pass"})
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, string(body))
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
}

// insertPrincipals adds user alice (not an admin) and app ops (without
// all_scopes) to the server's SQLite database.
func insertPrincipals(t *testing.T, dataDir string) {
	t.Helper()
	ctx := context.Background()
	gdb, err := db.Open(ctx, config.DB{Driver: "sqlite", MaxOpenConns: 1}, dataDir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	defer func() { _ = db.Close(gdb) }()
	pw, err := bcrypt.GenerateFromPassword([]byte("alice-pass"), bcrypt.MinCost)
	require.NoError(t, err)
	secret, err := bcrypt.GenerateFromPassword([]byte("ops-secret"), bcrypt.MinCost)
	require.NoError(t, err)
	now := time.Now()
	require.NoError(t, gdb.Exec("INSERT INTO user (username, password_hash, is_admin, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		"alice", string(pw), false, now, now).Error)
	require.NoError(t, gdb.Exec("INSERT INTO api_app (app_code, secret_hash, all_scopes, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		"ops", string(secret), false, true, now, now).Error)
}

// webSession logs in and returns a client carrying the session.
func webSession(t *testing.T, base, user, password string) *API {
	t.Helper()
	resp, body := (&API{Base: base}).do(t, http.MethodPost, "/api/web/login", map[string]string{"username": user, "password": password})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var s struct{ Token string }
	require.NoError(t, json.Unmarshal(body, &s))
	return &API{Base: base, Header: http.Header{"Authorization": {"Bearer " + s.Token}}}
}
