package httpx

import (
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/httpx/httpxtest"
)

func TestTLSServesAndReloadsTheCertificate(t *testing.T) {
	dir := t.TempDir()
	ca := httpxtest.NewCA(t, "test ca")
	first := ca.Issue(t, "127.0.0.1", "bkjob.test")
	certFile, keyFile := first.Write(t, dir)

	s := startServer(t, Options{TLSCertFile: certFile, TLSKeyFile: keyFile}, nil, func(s *Server) {
		s.Echo.GET("/api/web/version", func(c echo.Context) error { return c.String(http.StatusOK, "v") })
	})
	require.True(t, s.TLS())
	require.Equal(t, "https://"+s.Addr(), s.URL())

	// serial dials a fresh connection and returns the serial it was served.
	serial := func() string {
		conn, err := tls.Dial("tcp", s.Addr(), &tls.Config{RootCAs: ca.Pool(), ServerName: "bkjob.test"})
		require.NoError(t, err)
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
	}
	require.Equal(t, first.Serial.String(), serial())

	// A kept-alive client from before the reload.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
	get := func() string {
		res, err := client.Get(s.URL() + "/api/web/version")
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.TLS.PeerCertificates[0].SerialNumber.String() + ":" + string(b)
	}
	require.Equal(t, first.Serial.String()+":v", get())

	second := ca.Issue(t, "127.0.0.1", "bkjob.test")
	second.Write(t, dir)
	require.NoError(t, s.ReloadTLS())
	require.Equal(t, second.Serial.String(), serial(), "new connections get the new certificate")
	require.Equal(t, first.Serial.String()+":v", get(), "an open connection is not dropped")

	// A broken file keeps the certificate in use.
	require.NoError(t, writeFile(filepath.Join(dir, "cert.pem"), "not a certificate"))
	require.Error(t, s.ReloadTLS())
	require.Equal(t, second.Serial.String(), serial())
}

func TestTLSNeedsLoadableFiles(t *testing.T) {
	_, err := NewServer(Options{Addr: "127.0.0.1:0", TLSCertFile: "/nonexistent/cert.pem", TLSKeyFile: "/nonexistent/key.pem"}, slog.New(slog.DiscardHandler))
	require.ErrorContains(t, err, "/nonexistent/cert.pem")
}

func writeFile(path, body string) error { return os.WriteFile(path, []byte(body), 0o600) }
