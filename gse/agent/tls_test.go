package agent_test

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/agent"
	"github.com/bkjob/bkjob/platform/httpx/httpxtest"
	"github.com/bkjob/bkjob/platform/testenv"
)

// lockedBuffer collects an agent's log lines.
type lockedBuffer = testenv.Buffer

// trackingListener remembers every accepted connection so the test can cut
// them (hijacked WebSocket connections are out of httptest's reach).
type trackingListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func (l *trackingListener) cutAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		_ = c.Close()
	}
	l.conns = nil
}

func serverCert(t *testing.T, leaf httpxtest.Leaf) *tls.Certificate {
	t.Helper()
	cert, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
	require.NoError(t, err)
	return &cert
}

// TestAgentReadsCAFileOnEveryDial: the agent dials 127.0.0.1 and verifies
// the server's certificate under --server-name, trusting the server's own
// certificate file (a leaf whose CA is not in the file). When the server
// rotates to a certificate from another CA, the agent's reconnects fail
// until the file holds the new certificate, then succeed without an agent
// restart; a file gone bad fails the dial with the reason, not the agent.
func TestAgentReadsCAFileOnEveryDial(t *testing.T) {
	first := httpxtest.NewCA(t, "first ca").Issue(t, "bkjob.test")
	second := httpxtest.NewCA(t, "second ca").Issue(t, "bkjob.test")
	var served atomic.Pointer[tls.Certificate]
	served.Store(serverCert(t, first))
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	tl := &trackingListener{Listener: raw}
	th := startHubOn(t, tls.NewListener(tl, &tls.Config{MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return served.Load(), nil }}))
	server := strings.Replace(th.url, "http://", "https://", 1)

	caFile := filepath.Join(t.TempDir(), "cert.pem")
	require.NoError(t, os.WriteFile(caFile, first.CertPEM, 0o600))
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	opts := agent.Options{Server: server, Token: testToken, IP: "127.0.0.9", DataDir: t.TempDir(),
		CAFile: caFile, ServerName: "bkjob.test", ReconnectMin: 20 * time.Millisecond, ReconnectMax: 100 * time.Millisecond}
	go func() { done <- agent.Run(ctx, opts, slog.New(slog.NewTextHandler(logs, nil))) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	connected := func(n int) func() bool {
		return func() bool { return strings.Count(logs.String(), `msg="agent connected"`) >= n }
	}
	logged := func(s string) func() bool { return func() bool { return strings.Contains(logs.String(), s) } }
	require.Eventually(t, connected(1), wait, 10*time.Millisecond, "never connected: %s", logs)

	// The server rotates; the agent still pins the old certificate.
	served.Store(serverCert(t, second))
	tl.cutAll()
	require.Eventually(t, logged("certificate signed by unknown authority"), wait, 10*time.Millisecond, "%s", logs)
	require.Equal(t, 1, strings.Count(logs.String(), `msg="agent connected"`))

	// A file gone bad fails the dials with the reason; the agent keeps trying.
	require.NoError(t, os.WriteFile(caFile, []byte("not a certificate"), 0o600))
	require.Eventually(t, logged("no PEM certificates"), wait, 10*time.Millisecond, "%s", logs)
	require.NoError(t, os.Remove(caFile))
	require.Eventually(t, logged("read ca file "+caFile), wait, 10*time.Millisecond, "%s", logs)
	select {
	case err := <-done:
		t.Fatalf("the agent stopped on a bad ca file: %v", err)
	default:
	}

	// The file holds the new certificate: the next dial reads it.
	require.NoError(t, os.WriteFile(caFile, second.CertPEM, 0o600))
	require.Eventually(t, connected(2), wait, 10*time.Millisecond, "never reconnected: %s", logs)
}

// TestServerNameIsVerified: the certificate names bkjob.test, not the
// 127.0.0.1 dialled; without --server-name (or with another name) the agent
// refuses the server.
func TestServerNameIsVerified(t *testing.T) {
	leaf := httpxtest.NewCA(t, "ca").Issue(t, "bkjob.test")
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	th := startHubOn(t, tls.NewListener(raw, &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{*serverCert(t, leaf)}}))
	caFile := filepath.Join(t.TempDir(), "cert.pem")
	require.NoError(t, os.WriteFile(caFile, leaf.CertPEM, 0o600))
	for name, want := range map[string]string{
		"":          "cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs",
		"other.org": "certificate is valid for bkjob.test, not other.org",
	} {
		logs := &lockedBuffer{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		opts := agent.Options{Server: strings.Replace(th.url, "http://", "https://", 1), Token: testToken, IP: "127.0.0.10",
			DataDir: t.TempDir(), CAFile: caFile, ServerName: name, ReconnectMin: 20 * time.Millisecond, ReconnectMax: 100 * time.Millisecond}
		go func() { done <- agent.Run(ctx, opts, slog.New(slog.NewTextHandler(logs, nil))) }()
		require.Eventually(t, func() bool { return strings.Contains(logs.String(), want) }, wait, 10*time.Millisecond, "%q: %s", name, logs)
		cancel()
		require.NoError(t, <-done)
		require.NotContains(t, logs.String(), `msg="agent connected"`, name)
	}
}
