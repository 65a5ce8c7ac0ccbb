package ssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
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
		out[i] = gse.Host{ID: int64(i + 1), IP: ip, SSH: &gse.SSHEndpoint{Addr: e.addrs[i], User: e.user, CredentialID: 1}}
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
	sink  gse.Sink
}

func newTestTransport(t testing.TB, env sshEnv, rec *recorder, opts transportOpts) *Transport {
	t.Helper()
	if opts.known == nil {
		opts.known = NewFileKnownHosts(env.knownHosts)
	}
	if opts.creds == nil {
		opts.creds = StaticCredentials{1: {PrivateKey: env.key}}
	}
	if opts.sink == nil {
		opts.sink = rec.sink
	}
	tr, err := New(opts.cfg, Deps{Credentials: opts.creds, KnownHosts: opts.known, Blob: opts.blob, Sink: opts.sink})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, tr.Close(ctx))
	})
	return tr
}

// recorder is a Sink that keeps every event; refuse makes it reject the
// next n calls.
type recorder struct {
	mu     sync.Mutex
	events []gse.Event
	refuse int
}

func (r *recorder) sink(_ context.Context, events []gse.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refuse > 0 {
		r.refuse--
		return errors.New("sink busy")
	}
	r.events = append(r.events, events...)
	return nil
}

// final returns the terminal result of (task, host), or nil.
func (r *recorder) final(task string, host int64) *gse.HostResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.TaskID == task && e.HostID == host && e.Kind == gse.EventResult && gse.HostStatusFinished(e.Result.Status) {
			res := *e.Result
			return &res
		}
	}
	return nil
}

// waitFinal waits for every host's terminal result.
func (r *recorder) waitFinal(t testing.TB, task string, hosts ...gse.Host) map[int64]gse.HostResult {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, h := range hosts {
			if r.final(task, h.ID) == nil {
				return false
			}
		}
		return true
	}, 30*time.Second, 10*time.Millisecond, "hosts of task %s did not finish", task)
	out := map[int64]gse.HostResult{}
	for _, h := range hosts {
		out[h.ID] = *r.final(task, h.ID)
	}
	return out
}

// output joins (task, host)'s chunks, checking they are contiguous.
func (r *recorder) output(t testing.TB, task string, host int64) string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.events {
		if e.TaskID == task && e.HostID == host && e.Kind == gse.EventOutput {
			require.Equal(t, int64(b.Len()), e.Output.Offset, "chunk offset")
			b.Write(e.Output.Data)
		}
	}
	return b.String()
}

// files returns the file progress events of (task, host).
func (r *recorder) files(task string, host int64) []gse.FileProgress {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []gse.FileProgress
	for _, e := range r.events {
		if e.TaskID == task && e.HostID == host && e.Kind == gse.EventFile {
			out = append(out, *e.File)
		}
	}
	return out
}

// kinds lists the event kinds of (task, host) in order.
func (r *recorder) kinds(task string, host int64) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if e.TaskID == task && e.HostID == host {
			k := string(e.Kind)
			if e.Kind == gse.EventResult {
				k = fmt.Sprintf("result:%d", e.Result.Status)
			}
			out = append(out, k)
		}
	}
	return out
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
