package ssh

import (
	"context"
	"net"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
)

// TestProbe: the login test really logs in, and each way it can fail comes
// back as a reason, not an error.
func TestProbe(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	creds := StaticCredentials{"good": {PrivateKey: env.key}, "wrong": {Password: "not the password"}, "empty": {}}
	tr := newTestTransport(t, env, rec, transportOpts{creds: creds})
	ctx := context.Background()
	ep := func(cred string) gse.SSHEndpoint {
		return gse.SSHEndpoint{Addr: env.addrs[0], User: env.user, CredentialID: cred}
	}

	res, err := tr.Probe(ctx, ep("good"))
	require.NoError(t, err)
	require.Equal(t, gse.SSHProbeResult{OK: true}, res)

	for cred, reason := range map[string]string{"wrong": gse.SSHProbeAuth, "empty": gse.SSHProbeCredential, "missing": gse.SSHProbeCredential} {
		res, err := tr.Probe(ctx, ep(cred))
		require.NoError(t, err, cred)
		require.False(t, res.OK, cred)
		require.Equal(t, reason, res.Reason, "%s: %s", cred, res.Detail)
		require.NotEmpty(t, res.Detail, cred)
	}

	// A closed port is a network failure.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := l.Addr().String()
	require.NoError(t, l.Close())
	res, err = tr.Probe(ctx, gse.SSHEndpoint{Addr: closed, User: env.user, CredentialID: "good"})
	require.NoError(t, err)
	require.Equal(t, gse.SSHProbeNetwork, res.Reason, res.Detail)

	// A host whose key is not known (no trust on first use) is refused.
	strict := newTestTransport(t, env, rec, transportOpts{creds: creds, known: NewFileKnownHosts(filepath.Join(t.TempDir(), "known_hosts"))})
	res, err = strict.Probe(ctx, ep("good"))
	require.NoError(t, err)
	require.Equal(t, gse.SSHProbeHostKey, res.Reason, res.Detail)

	// With trust on first use the test logs in but pins nothing: testing an
	// address must not make whatever key answered there trusted.
	known := NewFileKnownHosts(filepath.Join(t.TempDir(), "known_hosts"))
	cfg := testConfig()
	cfg.TrustOnFirstUse = true
	tofu := newTestTransport(t, env, rec, transportOpts{cfg: cfg, creds: creds, known: known})
	res, err = tofu.Probe(ctx, ep("good"))
	require.NoError(t, err)
	require.True(t, res.OK, res.Detail)
	keys, err := known.Lookup(ctx, env.addrs[0])
	require.NoError(t, err)
	require.Empty(t, keys, "the login test recorded no host key")
}
