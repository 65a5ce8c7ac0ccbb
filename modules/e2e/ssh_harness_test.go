package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/testenv"
)

// sshTestServer is the OpenSSH server standing for the agentless hosts:
// one sshd answering on 127.0.0.1…127.0.0.N at one port.
type sshTestServer struct {
	Port    string
	User    string
	Key     string // the client's private key (PEM)
	HostKey string // "<type> <base64>" of the server's host key
}

// sshAddr is ip's SSH address on the test server.
func (s sshTestServer) sshAddr(ip string) string { return net.JoinHostPort(ip, s.Port) }

// startTestSSHD returns the test sshd: the one .services/env describes
// (BKJOB_TEST_SSH_*) when set, otherwise a throwaway one started with
// testdata/sshd/sshd.sh and stopped when the test ends. Without either the
// test skips by hand and fails under CI=true.
func startTestSSHD(t *testing.T) sshTestServer {
	t.Helper()
	if os.Getenv("BKJOB_TEST_SSH_ADDR") == "" {
		if _, err := os.Stat("/usr/sbin/sshd"); err == nil {
			return startScriptSSHD(t)
		}
	}
	addr := testenv.Require(t, "BKJOB_TEST_SSH_ADDR")
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	key, err := os.ReadFile(testenv.Require(t, "BKJOB_TEST_SSH_KEY"))
	require.NoError(t, err)
	s := sshTestServer{Port: port, User: testenv.Require(t, "BKJOB_TEST_SSH_USER"), Key: string(key)}
	if f := os.Getenv("BKJOB_TEST_SSH_HOST_KEY"); f != "" {
		s.HostKey = readHostKey(t, f, 0)
	} else {
		// testdata/sshd/sshd.sh writes a known_hosts file instead.
		s.HostKey = readHostKey(t, testenv.Require(t, "BKJOB_TEST_SSH_KNOWN_HOSTS"), 1)
	}
	return s
}

// readHostKey reads "<type> <base64>" from the first line of a public key
// file (skip 0) or a known_hosts file (skip 1: the host pattern).
func readHostKey(t *testing.T, path string, skip int) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	require.GreaterOrEqual(t, len(f), skip+2, "host key in %s", path)
	return f[skip] + " " + f[skip+1]
}

func startScriptSSHD(t *testing.T) sshTestServer {
	t.Helper()
	script, err := filepath.Abs("../../testdata/sshd/sshd.sh")
	require.NoError(t, err)
	_, port, err := net.SplitHostPort(freeAddr(t))
	require.NoError(t, err)
	cmd := exec.Command("bash", script, "start")
	cmd.Env = append(cleanEnv(), "BKJOB_SSHD_PORT="+port, "BKJOB_SSHD_HOSTS=4", "BKJOB_SSHD_DIR=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s start: %s", script, stderr.String())
	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok {
			vars[k] = v
		}
	}
	dir := vars["BKJOB_SSHD_DIR"]
	require.NotEmpty(t, dir, "sshd.sh printed no BKJOB_SSHD_DIR: %s", out)
	t.Cleanup(func() { _ = exec.Command("bash", script, "stop", dir).Run() })
	key, err := os.ReadFile(vars["BKJOB_TEST_SSH_KEY"])
	require.NoError(t, err)
	return sshTestServer{Port: port, User: vars["BKJOB_TEST_SSH_USER"], Key: string(key),
		HostKey: readHostKey(t, filepath.Join(dir, "host_ed25519.pub"), 0)}
}

// writeKnownHosts writes a known_hosts file trusting the server's key at
// the given addresses, as an operator would.
func writeKnownHosts(t *testing.T, s sshTestServer, ips ...string) string {
	t.Helper()
	var b strings.Builder
	for _, ip := range ips {
		fmt.Fprintf(&b, "[%s]:%s %s\n", ip, s.Port, s.HostKey)
	}
	path := filepath.Join(t.TempDir(), "known_hosts")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

// sshHost is an agentless host registered through the API.
type sshHost struct {
	IP string
	ID int64
}

func (h sshHost) ip() string { return h.IP }

// sshAnswers keeps the API answers a test received, so it can prove no
// secret ever appears in one.
type sshAnswers struct {
	mu   sync.Mutex
	list []string
}

func (a *sshAnswers) all() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return strings.Join(a.list, "\n")
}

// sshCall sends body to /api/v3/<name> with method and records the answer.
func sshCall(t *testing.T, c *Cluster, rec *sshAnswers, method, name string, body any) envelope {
	t.Helper()
	_, raw := c.api.do(t, method, "/api/v3/"+name, body)
	rec.mu.Lock()
	rec.list = append(rec.list, string(raw))
	rec.mu.Unlock()
	var env envelope
	require.NoError(t, json.Unmarshal(raw, &env), "%s answered %s", name, raw)
	return env
}

// sshV3 POSTs in the default business and decodes data into out (when not
// nil), failing unless result is true.
func sshV3(t *testing.T, c *Cluster, rec *sshAnswers, name string, body map[string]any, out any) {
	t.Helper()
	env := sshCall(t, c, rec, http.MethodPost, name, scope(body))
	require.True(t, env.Result, "%s: code %d: %s", name, env.Code, env.Message)
	if out != nil {
		require.NoError(t, json.Unmarshal(env.Data, out))
	}
}

// sshAddKeyCredential stores the test client key as a SECRET_KEY credential.
func sshAddKeyCredential(t *testing.T, c *Cluster, rec *sshAnswers, sshd sshTestServer) string {
	t.Helper()
	var ref struct {
		ID string `json:"id"`
	}
	sshV3(t, c, rec, "create_credential", map[string]any{"name": "e2e ssh key", "type": "SECRET_KEY",
		"description": "client key of the test sshd", "credential_secret_key": sshd.Key}, &ref)
	require.NotEmpty(t, ref.ID)
	return ref.ID
}

// sshAddHost registers ip as an agentless host of the test sshd.
func sshAddHost(t *testing.T, c *Cluster, rec *sshAnswers, sshd sshTestServer, ip, credentialID string) sshHost {
	t.Helper()
	port, err := strconv.Atoi(sshd.Port)
	require.NoError(t, err)
	var h struct {
		HostID  int64  `json:"bk_host_id"`
		IP      string `json:"ip"`
		SSHPort int    `json:"ssh_port"`
		SSHUser string `json:"ssh_user"`
	}
	sshV3(t, c, rec, "create_agentless_host", map[string]any{"bk_cloud_id": 0, "ip": ip, "ssh_port": port,
		"ssh_user": sshd.User, "credential_id": credentialID}, &h)
	require.Positive(t, h.HostID)
	require.Equal(t, ip, h.IP)
	require.Equal(t, port, h.SSHPort)
	return sshHost{IP: ip, ID: h.HostID}
}
