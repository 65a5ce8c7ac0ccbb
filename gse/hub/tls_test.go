package hub_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/agent"
)

func writePEM(t *testing.T, der []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	return p
}

// otherCA is a CA that did not sign the test server's certificate.
func otherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return writePEM(t, der)
}

func TestTLSWithPinnedCA(t *testing.T) {
	th := startHub(t, nil)
	srv := httptest.NewTLSServer(th.hub.Handler())
	t.Cleanup(srv.Close)

	opts := th.agentOptions(t, "127.0.0.51")
	opts.Server, opts.CAFile = srv.URL, writePEM(t, srv.Certificate().Raw)
	runAgent(t, opts)
	th.waitHost(t, "127.0.0.51")

	wrong := th.agentOptions(t, "127.0.0.52")
	wrong.Server, wrong.CAFile = srv.URL, otherCA(t)
	logs := &logBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- agent.Run(ctx, wrong, slog.New(slog.NewTextHandler(logs, nil))) }()
	require.Eventually(t, func() bool { return containsAll(logs.String(), "agent disconnected", "certificate") }, wait, 10*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	_, found, err := th.hub.Registry().ByAddress(t.Context(), 0, "127.0.0.52")
	require.NoError(t, err)
	require.False(t, found, "an agent that does not trust the server must not register")
}
