package agent

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
)

// trustConfig is the TLS setting of one dial. caFile, when set, is read
// again on every call, so a certificate the server rotated (new file, then
// SIGHUP) is trusted on the agent's next reconnect without a restart. Every
// certificate in the file is a trust anchor: a CA certificate pins that CA,
// and a server's own certificate file pins that certificate (crypto/x509
// accepts a root that is the leaf itself), whoever issued it. No file means
// the system roots. serverName, when set, is the name the server's
// certificate must carry instead of the host dialled.
func trustConfig(caFile, serverName string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if caFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(caFile) //nolint:gosec // G304: the CA file the operator gave with --ca-file
	if err != nil {
		return nil, fmt.Errorf("read ca file %s: %w", caFile, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca file %s: no PEM certificates", caFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// httpClient is the client of one dial, with trustConfig's TLS settings.
func httpClient(caFile, serverName string) (*http.Client, error) {
	cfg, err := trustConfig(caFile, serverName)
	if err != nil {
		return nil, err
	}
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("http.DefaultTransport is a %T, not an *http.Transport", http.DefaultTransport)
	}
	tr := base.Clone()
	tr.TLSClientConfig = cfg
	return &http.Client{Transport: tr}, nil
}
