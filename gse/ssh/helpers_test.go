package ssh

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/testenv"
)

// sshEnv is the test SSH server.
type sshEnv struct {
	addrs      []string
	user       string
	key        []byte
	knownHosts string
}

func requireSSH(t testing.TB) sshEnv {
	t.Helper()
	addr := testenv.Require(t, "BKJOB_TEST_SSH_ADDR")
	env := sshEnv{addrs: []string{addr}, user: testenv.Require(t, "BKJOB_TEST_SSH_USER")}
	if all := os.Getenv("BKJOB_TEST_SSH_ADDRS"); all != "" {
		env.addrs = strings.Split(all, ",")
	} else {
		env.addrs = probeAddrs(addr)
	}
	key, err := os.ReadFile(testenv.Require(t, "BKJOB_TEST_SSH_KEY"))
	require.NoError(t, err)
	env.key = key
	env.knownHosts = os.Getenv("BKJOB_TEST_SSH_KNOWN_HOSTS")
	if env.knownHosts == "" {
		// testdata/services exports the host's public key instead.
		pub, err := os.ReadFile(testenv.Require(t, "BKJOB_TEST_SSH_HOST_KEY"))
		require.NoError(t, err)
		fields := strings.Fields(string(pub))
		require.GreaterOrEqual(t, len(fields), 2, "host key file")
		var b strings.Builder
		for _, a := range env.addrs {
			fmt.Fprintf(&b, "%s %s %s\n", normalizeAddr(a), fields[0], fields[1])
		}
		env.knownHosts = filepath.Join(t.TempDir(), "known_hosts")
		require.NoError(t, os.WriteFile(env.knownHosts, []byte(b.String()), 0o600))
	}
	return env
}

// probeAddrs lists the 127.0.0.x addresses that answer on addr's port,
// for servers that export only their first address.
func probeAddrs(addr string) []string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return []string{addr}
	}
	out := []string{addr}
	for i := 2; i <= 16; i++ {
		a := net.JoinHostPort(fmt.Sprintf("127.0.0.%d", i), port)
		c, err := net.DialTimeout("tcp", a, time.Second)
		if err != nil {
			break
		}
		_ = c.Close()
		out = append(out, a)
	}
	return out
}

// hosts returns n hosts, one per test server address.
func (e sshEnv) hosts(t testing.TB, n int) []gse.Host {
	t.Helper()
	if n > len(e.addrs) {
		t.Fatalf("need %d SSH addresses, the test server has %d (BKJOB_TEST_SSH_ADDRS)", n, len(e.addrs))
	}
	out := make([]gse.Host, n)
	for i := range out {
		ip, _, err := net.SplitHostPort(e.addrs[i])
		require.NoError(t, err)
		out[i] = gse.Host{ID: int64(i + 1), IP: ip, SSH: &gse.SSHEndpoint{Addr: e.addrs[i], User: e.user, CredentialID: "1"}}
	}
	return out
}

// testConfig keeps kills and flushes short so tests run fast.
func testConfig() Config {
	return Config{KillGrace: 300 * time.Millisecond, FlushInterval: 20 * time.Millisecond, ProgressInterval: 50 * time.Millisecond}
}

type transportOpts struct {
	cfg   Config
	known KnownHosts
	creds CredentialSource
	blob  blob.Store
}

// newTestTransport starts a transport delivering to rec; when the test ends
// it is closed, and then rec must have seen no event after a host's final
// result and no output gap.
func newTestTransport(t testing.TB, env sshEnv, rec *gsetest.Recorder, opts transportOpts) *Transport {
	t.Helper()
	t.Cleanup(func() { require.Empty(t, rec.Violations(), "events out of order") })
	if opts.known == nil {
		opts.known = NewFileKnownHosts(env.knownHosts)
	}
	if opts.creds == nil {
		opts.creds = StaticCredentials{"1": {PrivateKey: env.key}}
	}
	tr, err := New(opts.cfg, Deps{Credentials: opts.creds, KnownHosts: opts.known, Blob: opts.blob, Sink: rec.Sink})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, tr.Close(ctx))
	})
	return tr
}

// alive reports whether process pid exists and is not a zombie (tests run
// on the SSH host itself).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, ok := strings.Cut(string(stat), ") ")
	return ok && !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

// readPIDs reads whitespace-separated pids from a file the script wrote.
func readPIDs(t testing.TB, path string) []int {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		var pid int
		_, err := fmt.Sscan(f, &pid)
		require.NoError(t, err)
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	return pids
}

// warmUp runs a trivial script on hosts through tr, so that a timed task
// started next finds its pooled connection ready: on a busy machine the SSH
// login alone can eat most of a short timeout.
func warmUp(t *testing.T, tr *Transport, rec *gsetest.Recorder, hosts []gse.Host) {
	t.Helper()
	task := gse.ScriptTask{TaskID: "warm-up-" + randomHex(4), Hosts: hosts, Language: gse.LangShell, Content: "true\n"}
	require.NoError(t, tr.StartScript(context.Background(), task))
	for id, res := range rec.WaitResults(t, task.TaskID, gsetest.Wait, hosts...) {
		require.Equal(t, gse.HostStatusSuccess, res.Status, "warm-up on host %d: %s", id, res.ErrorMsg)
	}
}
