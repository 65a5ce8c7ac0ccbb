package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestUnknownRoleExitsTwo(t *testing.T) {
	out, code := run(t, nil, "serve", "--roles=gateway,bogus", "--data-dir", t.TempDir())
	require.Equal(t, 2, code, out)
	require.Contains(t, out, `unknown role "bogus"; known roles: all, analysis, backup, crontab, execute, filegateway, fileworker, gateway, gse, logsvr, manage`)
}

func TestBadConfigExitsTwoNamingTheKey(t *testing.T) {
	out, code := run(t, []string{"BKJOB_DB__DRIVER=oracle"}, "config", "print")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "db.driver")

	out, code = run(t, nil, "serve", "--http-addr", "nonsense")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "http.addr")

	out, code = run(t, nil, "serve", "--no-such-flag")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "no-such-flag")
}

func TestRolesPrintsTheGraph(t *testing.T) {
	out, code := run(t, nil, "roles")
	require.Equal(t, 0, code, out)
	for _, want := range []string{"gateway", "manage", "execute", "logsvr", "gse", "crontab", "backup", "analysis", "filegateway", "fileworker"} {
		require.Contains(t, out, want)
	}
	require.Regexp(t, `all\s+manage,logsvr,gse,execute,`, out)
	require.Regexp(t, `crontab\s+-\s+not implemented yet`, out)
}

func TestConfigPrintMasksSecrets(t *testing.T) {
	out, code := run(t, []string{
		"BKJOB_DB__DRIVER=mysql", "BKJOB_DB__DSN=bkjob:hunter2@tcp(127.0.0.1:3306)/bkjob",
		"BKJOB_API_APP_SECRET=s3cr3t-value", "BKJOB_GSE__AGENT_TOKENS=tok-1,tok-2",
	}, "config", "print")
	require.Equal(t, 0, code, out)
	require.NotContains(t, out, "hunter2")
	require.NotContains(t, out, "s3cr3t-value")
	require.NotContains(t, out, "tok-1")
	require.Contains(t, out, "dsn: '******'")
	require.Contains(t, out, "driver: mysql")
}

func TestVersion(t *testing.T) {
	out, code := run(t, nil, "version")
	require.Equal(t, 0, code, out)
	require.Regexp(t, `^bkjob \S+ \(commit \S+, built \S+\)`, out)
}

func TestServeAllZeroConfig(t *testing.T) {
	s := StartServer(t, ServerOptions{})
	api := &API{Base: s.URL}

	resp, body := api.do(t, http.MethodGet, "/api/web/version", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), `"version"`)

	// The generated admin password is written once, private, and works.
	pwFile := filepath.Join(s.DataDir, "initial-admin-password")
	st, err := os.Stat(pwFile)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	pw, err := os.ReadFile(pwFile)
	require.NoError(t, err)
	require.Contains(t, s.Output.String(), strings.TrimSpace(string(pw)), "printed once at first start")

	resp, body = api.do(t, http.MethodPost, "/api/web/login", map[string]string{"username": "admin", "password": "wrong"})
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, string(body))
	resp, body = api.do(t, http.MethodPost, "/api/web/login", map[string]string{"username": "admin", "password": strings.TrimSpace(string(pw))})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var login struct{ Token string }
	require.NoError(t, json.Unmarshal(body, &login))
	api.Header = http.Header{"Authorization": {"Bearer " + login.Token}}
	resp, body = api.do(t, http.MethodGet, "/api/web/me", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), `"username":"admin"`)

	// Unknown API paths are JSON 404s, never the UI's HTML.
	resp, body = api.do(t, http.MethodGet, "/api/web/does-not-exist", nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode, string(body))
	require.NotContains(t, string(body), "<html")

	// OpenAPI without credentials is refused with bk-job's envelope.
	anon := &API{Base: s.URL}
	resp, body = anon.do(t, http.MethodPost, "/api/v3/get_job_instance_list", map[string]any{})
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, string(body), `"result":false`)

	resp, body = api.do(t, http.MethodGet, "/metrics", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "bkjob_http_requests_total")

	require.NoError(t, s.Stop(t), "SIGTERM exits cleanly")
	require.Contains(t, s.Output.String(), "stopped")
}

func TestSecondStartKeepsAdminPassword(t *testing.T) {
	dir := t.TempDir()
	s := StartServer(t, ServerOptions{DataDir: dir, Env: []string{"BKJOB_ADMIN_PASSWORD=first-password"}})
	require.NoError(t, s.Stop(t))
	_, err := os.Stat(filepath.Join(dir, "initial-admin-password"))
	require.ErrorIs(t, err, os.ErrNotExist, "a given password is not written to disk")

	s = StartServer(t, ServerOptions{DataDir: dir, Env: []string{"BKJOB_ADMIN_PASSWORD=changed"}})
	api := &API{Base: s.URL}
	resp, _ := api.do(t, http.MethodPost, "/api/web/login", map[string]string{"username": "admin", "password": "first-password"})
	require.Equal(t, http.StatusOK, resp.StatusCode, "the password is set on first start only")
}

func TestMigrateAppliesSchemaAndExits(t *testing.T) {
	dir := t.TempDir()
	out, code := run(t, nil, "migrate", "--data-dir", dir)
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "schema is up to date")
	_, err := os.Stat(filepath.Join(dir, "bkjob.db"))
	require.NoError(t, err)
	out, code = run(t, nil, "migrate", "--data-dir", dir)
	require.Equal(t, 0, code, "migrating again is a no-op: %s", out)
}

// TestServeAllForceRemote runs every role in one process with every
// co-located call forced over the (in-process) bus, so the remote path is
// exercised by a whole job, not only by unit tests.
func TestServeAllForceRemote(t *testing.T) {
	c := StartCluster(t, "BKJOB_BUS__FORCE_REMOTE=true", "BKJOB_GSE__LOCAL_AGENT__ENABLED=true", "BKJOB_GSE__LOCAL_AGENT__IP=127.0.0.88")
	require.Eventually(t, func() bool { return strings.Contains(c.Output.String(), "agent connected") },
		60*time.Second, 50*time.Millisecond)
	job := c.runScript(t, "echo over-the-bus", []target{fixedIP("127.0.0.88")}, nil)
	st := c.waitJob(t, job.JobInstanceID, 60*time.Second)
	require.Equal(t, 3, st.JobInstance.Status)
	require.Equal(t, "over-the-bus\n", c.hostLog(t, job, "127.0.0.88"))
}
