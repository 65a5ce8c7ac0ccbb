package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// adminSSHIP is the test sshd address the admin pages' scenario registers
// as an agentless host.
const adminSSHIP = "127.0.0.3"

// TestServiceStateAdminOnly: the service status endpoint answers an
// administrator with this process's roles, each ready, and refuses any
// other user with the permission error.
func TestServiceStateAdminOnly(t *testing.T) {
	s := StartServer(t, ServerOptions{Env: []string{"BKJOB_ADMIN_PASSWORD=admin-pass"}})
	insertPrincipals(t, s.DataDir)

	resp, body := webSession(t, s.URL, "admin", "admin-pass").do(t, http.MethodGet, "/api/web/service_state", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var st struct {
		Ready bool `json:"ready"`
		PID   int  `json:"pid"`
		Roles []struct {
			Name  string `json:"name"`
			Kind  string `json:"kind"`
			Ready bool   `json:"ready"`
		} `json:"roles"`
		Version struct {
			Version string `json:"version"`
		} `json:"version"`
	}
	require.NoError(t, json.Unmarshal(body, &st))
	require.True(t, st.Ready, string(body))
	require.Positive(t, st.PID)
	require.NotEmpty(t, st.Version.Version)
	kinds := map[string]string{}
	for _, r := range st.Roles {
		require.True(t, r.Ready, r.Name)
		kinds[r.Name] = r.Kind
	}
	require.Equal(t, "role", kinds["gateway"], string(body))
	require.Equal(t, "role", kinds["gse"])
	require.Equal(t, "plumbing", kinds["db"])
	require.Equal(t, "pending", kinds["crontab"])

	resp, body = webSession(t, s.URL, "alice", "alice-pass").do(t, http.MethodGet, "/api/web/service_state", nil)
	e := requireWebError(t, resp, body, http.StatusForbidden, 1238001, "")
	require.NotContains(t, string(body), `"roles"`, "nothing of the process leaks to a non-administrator")
	require.NotEmpty(t, e.Message)
	resp, body = (&API{Base: s.URL}).do(t, http.MethodGet, "/api/web/service_state", nil)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, string(body))

	// The SSH login test makes the server connect where the caller says,
	// with a business credential: administrators only, on both doors.
	probe := scope(map[string]any{"ip": "127.0.0.1", "ssh_port": 22, "credential_id": strings.Repeat("a", 32)})
	resp, body = webSession(t, s.URL, "alice", "alice-pass").do(t, http.MethodPost, "/api/web/check_agentless_host", probe)
	e = requireWebError(t, resp, body, http.StatusForbidden, 1238001, "")
	require.Contains(t, e.Message, "administrator", "refused as a non-administrator, before any scope is looked at")
	ops := &API{Base: s.URL, Header: http.Header{"X-Bkapi-Authorization": {`{"bk_app_code":"ops","bk_app_secret":"ops-secret"}`}}}
	_, body = ops.do(t, http.MethodPost, "/api/v3/check_agentless_host", probe)
	require.Contains(t, string(body), `"code":1238001`)
	require.Contains(t, string(body), "administrator", string(body))
}

// TestAdminPages drives frontend/e2e/admin_pages.mjs: a credential created
// on the credentials page (its value never shown again), an agentless host
// registered with it after its SSH login was tested for real against the
// test sshd, the agents searched, and the service status page; light and
// dark screenshots of each. It needs the test sshd (.services/env, or
// testdata/sshd/sshd.sh), skipping without it and failing in CI.
func TestAdminPages(t *testing.T) {
	uiPrerequisites(t)
	sshd := startTestSSHD(t)
	s := StartServer(t, ServerOptions{Env: []string{
		"BKJOB_ADMIN_PASSWORD=ui-e2e-pass",
		"BKJOB_GSE__LOCAL_AGENT__ENABLED=true",
		"BKJOB_GSE__LOCAL_AGENT__IP=" + uiTargetIP,
		"BKJOB_GSE__SSH__KNOWN_HOSTS_FILE=" + writeKnownHosts(t, sshd, adminSSHIP),
	}})
	require.Eventually(t, func() bool { return strings.Contains(s.Output.String(), `msg="agent connected"`) },
		60*time.Second, 100*time.Millisecond, "the built-in agent never connected")
	key := filepath.Join(t.TempDir(), "id")
	require.NoError(t, os.WriteFile(key, []byte(sshd.Key), 0o600))
	runBrowserScript(t, s, "admin_pages.mjs", "BKJOB_PASSWORD=ui-e2e-pass", "BKJOB_TARGET_IP="+uiTargetIP,
		"BKJOB_SSH_IP="+adminSSHIP, "BKJOB_SSH_PORT="+sshd.Port, "BKJOB_SSH_USER="+sshd.User, "BKJOB_SSH_KEY_FILE="+key)
}

// TestCheckAgentlessHostOverTheBus: with bus.force_remote the login test
// goes from manage to the gse role over the bus (gse.SSHProbe) and really
// logs in to the test sshd; a wrong user is a refused login, not an error;
// a credential of another kind never reaches the gse role. Nothing is
// registered by a test.
func TestCheckAgentlessHostOverTheBus(t *testing.T) {
	sshd := startTestSSHD(t)
	c := StartCluster(t, "BKJOB_BUS__FORCE_REMOTE=true", "BKJOB_GSE__SSH__KNOWN_HOSTS_FILE="+writeKnownHosts(t, sshd, adminSSHIP))
	rec := &sshAnswers{}
	cred := sshAddKeyCredential(t, c, rec, sshd)
	port, err := strconv.Atoi(sshd.Port)
	require.NoError(t, err)
	check := func(user, credential string) envelope {
		return sshCall(t, c, rec, http.MethodPost, "check_agentless_host", scope(map[string]any{
			"ip": adminSSHIP, "ssh_port": port, "ssh_user": user, "credential_id": credential}))
	}
	var got struct {
		OK      bool   `json:"ok"`
		Reason  string `json:"reason"`
		SSHAddr string `json:"ssh_addr"`
	}
	env := check(sshd.User, cred)
	require.True(t, env.Result, env.Message)
	require.NoError(t, json.Unmarshal(env.Data, &got))
	require.True(t, got.OK, string(env.Data))
	require.Equal(t, adminSSHIP+":"+sshd.Port, got.SSHAddr)

	env = check("nobody-here", cred)
	require.True(t, env.Result, env.Message)
	got.OK, got.Reason = true, ""
	require.NoError(t, json.Unmarshal(env.Data, &got))
	require.False(t, got.OK, string(env.Data))
	require.Equal(t, "auth", got.Reason, string(env.Data))

	var ak struct {
		ID string `json:"id"`
	}
	sshV3(t, c, rec, "create_credential", map[string]any{"name": "file source key", "type": "APP_ID_SECRET_KEY",
		"credential_access_key": "ak", "credential_secret_key": "sk"}, &ak)
	env = check(sshd.User, ak.ID)
	require.False(t, env.Result)
	require.Contains(t, env.Message, "SSH")

	var page struct {
		Total int `json:"total"`
	}
	sshV3(t, c, rec, "list_agentless_hosts", map[string]any{}, &page)
	require.Zero(t, page.Total, "a login test registers nothing")
	require.NotContains(t, rec.all(), "PRIVATE KEY", "no answer carries the key")
}
