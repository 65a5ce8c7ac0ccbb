package ssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
)

func TestHostKeyVerification(t *testing.T) {
	env := requireSSH(t)
	otherPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	otherKey, err := ssh.NewPublicKey(otherPub)
	require.NoError(t, err)

	tests := []struct {
		name    string
		prepare func(t *testing.T, known *FileKnownHosts, addr string)
		tofu    bool
		status  int
		errText string
	}{
		{name: "unknown host refused", status: gse.HostStatusAgentError, errText: "unknown host key"},
		{name: "mismatched key refused", status: gse.HostStatusAgentError, errText: "host key mismatch",
			prepare: func(t *testing.T, known *FileKnownHosts, addr string) {
				require.NoError(t, known.Add(context.Background(), addr, otherKey))
			}},
		{name: "trust on first use records the key", tofu: true, status: gse.HostStatusSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := env.hosts(t, 1)
			known := NewFileKnownHosts(filepath.Join(t.TempDir(), "known_hosts"))
			if tt.prepare != nil {
				tt.prepare(t, known, h[0].SSH.Addr)
			}
			cfg := testConfig()
			cfg.TrustOnFirstUse = tt.tofu
			rec := gsetest.NewRecorder()
			tr := newTestTransport(t, env, rec, transportOpts{cfg: cfg, known: known})
			task := gse.ScriptTask{TaskID: "hostkey", Hosts: h, Language: gse.LangShell, Content: "echo in"}
			require.NoError(t, tr.StartScript(context.Background(), task))
			res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
			require.Equal(t, tt.status, res.Status, res.ErrorMsg)
			require.Contains(t, res.ErrorMsg, tt.errText)
			if tt.status != gse.HostStatusSuccess {
				require.Empty(t, rec.StrictOutput(t, task.TaskID, 1), "nothing ran on a refused host")
				return
			}
			keys, err := known.Lookup(context.Background(), h[0].SSH.Addr)
			require.NoError(t, err)
			require.Len(t, keys, 1, "the key was recorded")
			// A second transport without TOFU now accepts the recorded key.
			rec2 := gsetest.NewRecorder()
			tr2 := newTestTransport(t, env, rec2, transportOpts{cfg: testConfig(), known: known})
			require.NoError(t, tr2.StartScript(context.Background(), task))
			require.Equal(t, gse.HostStatusSuccess, rec2.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1].Status)
		})
	}
}

func TestWrongCredentialIsUserPasswordError(t *testing.T) {
	env := requireSSH(t)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKey(priv, "")
	require.NoError(t, err)
	pem := pemEncode(block.Type, block.Bytes)
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig(),
		creds: StaticCredentials{"1": {PrivateKey: pem, Password: "wrong"}}})
	h := env.hosts(t, 1)
	task := gse.ScriptTask{TaskID: "auth", Hosts: h, Language: gse.LangShell, Content: "echo in"}
	require.NoError(t, tr.StartScript(context.Background(), task))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
	require.Equal(t, gse.HostStatusGSEUserPwdError, res.Status, res.ErrorMsg)

	task.TaskID = "nocred"
	task.Hosts = []gse.Host{{ID: 9, SSH: &gse.SSHEndpoint{Addr: env.addrs[0], User: env.user, CredentialID: "42"}}}
	require.NoError(t, tr.StartScript(context.Background(), task))
	res = rec.WaitResults(t, task.TaskID, gsetest.Wait, task.Hosts...)[9]
	require.Equal(t, gse.HostStatusGSEUserPwdError, res.Status)
	require.Contains(t, res.ErrorMsg, "credential 42")
}

func TestConnectionReused(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig()})
	h := env.hosts(t, 1)
	var first *conn
	for i, id := range []string{"reuse-1", "reuse-2"} {
		task := gse.ScriptTask{TaskID: id, Hosts: h, Language: gse.LangShell, Content: "echo $PPID"}
		require.NoError(t, tr.StartScript(context.Background(), task))
		require.Equal(t, gse.HostStatusSuccess, rec.WaitResults(t, id, gsetest.Wait, h...)[1].Status)
		tr.pool.mu.Lock()
		c := tr.pool.conns[connKey{addr: h[0].SSH.Addr, user: env.user, cred: "1"}]
		n := len(tr.pool.conns)
		tr.pool.mu.Unlock()
		require.NotNil(t, c)
		require.Equal(t, 1, n)
		if i == 0 {
			first = c
		} else {
			require.Same(t, first, c, "the second task reuses the pooled connection")
		}
	}
}

func TestIdleConnectionsClosed(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	cfg := testConfig()
	cfg.IdleTimeout = 200 * time.Millisecond
	tr := newTestTransport(t, env, rec, transportOpts{cfg: cfg})
	h := env.hosts(t, 1)
	task := gse.ScriptTask{TaskID: "idle", Hosts: h, Language: gse.LangShell, Content: "true"}
	require.NoError(t, tr.StartScript(context.Background(), task))
	rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)
	require.Eventually(t, func() bool {
		tr.pool.mu.Lock()
		defer tr.pool.mu.Unlock()
		return len(tr.pool.conns) == 0
	}, 10*time.Second, 20*time.Millisecond)
}

func TestAgentStatus(t *testing.T) {
	env := requireSSH(t)
	tr := newTestTransport(t, env, gsetest.NewRecorder(), transportOpts{cfg: testConfig()})
	hosts := env.hosts(t, 2)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := l.Addr().String()
	require.NoError(t, l.Close())
	hosts = append(hosts,
		gse.Host{ID: 50, AgentID: "x", SSH: &gse.SSHEndpoint{Addr: dead, User: env.user, CredentialID: "1"}},
		gse.Host{ID: 51, AgentID: "no-ssh"})
	states, err := tr.AgentStatus(context.Background(), hosts)
	require.NoError(t, err)
	require.Len(t, states, 4)
	alive := map[int64]bool{}
	for _, s := range states {
		alive[s.HostID] = s.Alive
	}
	require.Equal(t, map[int64]bool{1: true, 2: true, 50: false, 51: false}, alive)
	require.Equal(t, "no-ssh", states[3].AgentID)
}

func TestFileKnownHosts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "known_hosts")
	known := NewFileKnownHosts(path)
	keys, err := known.Lookup(context.Background(), "10.0.0.1:22")
	require.NoError(t, err)
	require.Empty(t, keys, "a missing file holds no keys")

	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	key, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	require.NoError(t, known.Add(context.Background(), "10.0.0.1:2222", key))
	require.NoError(t, known.Add(context.Background(), "10.0.0.2:22", key))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(data), "[10.0.0.1]:2222 ssh-ed25519 ")
	require.Contains(t, string(data), "\n10.0.0.2 ssh-ed25519 ")

	tests := []struct {
		addr string
		want int
	}{
		{"10.0.0.1:2222", 1}, {"10.0.0.1:22", 0}, {"10.0.0.2:22", 1}, {"10.0.0.3:22", 0},
	}
	for _, tt := range tests {
		keys, err := known.Lookup(context.Background(), tt.addr)
		require.NoError(t, err)
		require.Len(t, keys, tt.want, tt.addr)
	}

	// Hashed entries, as `ssh-keygen -H` writes them, are understood too.
	hashed := filepath.Join(t.TempDir(), "hashed")
	line := knownhostsHashedLine(t, "[10.0.0.9]:2200", key)
	require.NoError(t, os.WriteFile(hashed, []byte(line+"\n"), 0o600))
	keys, err = NewFileKnownHosts(hashed).Lookup(context.Background(), "10.0.0.9:2200")
	require.NoError(t, err)
	require.Len(t, keys, 1)
}
