package app

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
)

// certServerName is the name the built-in agent verifies the server's
// certificate under: it dials 127.0.0.1, which an operator's certificate
// (for bkjob.example.com) does not name. It is the certificate's first DNS
// name (a wildcard gets a label of its own), else its first IP address. The
// file is read when the agent process starts, so a rotated certificate's
// name is used from the next start.
func certServerName(certFile string) (string, error) {
	data, err := os.ReadFile(certFile) //nolint:gosec // G304: the operator's http.tls_cert_file
	if err != nil {
		return "", fmt.Errorf("read tls certificate %s: %w", certFile, err)
	}
	var block *pem.Block
	for {
		block, data = pem.Decode(data)
		if block == nil {
			return "", fmt.Errorf("tls certificate %s: no PEM certificate", certFile)
		}
		if block.Type == "CERTIFICATE" {
			break
		}
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", fmt.Errorf("parse tls certificate %s: %w", certFile, err)
	}
	name, err := leafName(leaf)
	if err != nil {
		return "", fmt.Errorf("tls certificate %s: %w", certFile, err)
	}
	return name, nil
}

// leafName picks the name to verify leaf under (see certServerName).
func leafName(leaf *x509.Certificate) (string, error) {
	for _, n := range leaf.DNSNames {
		if !strings.HasPrefix(n, "*.") {
			return n, nil
		}
	}
	for _, n := range leaf.DNSNames {
		// *.example.com matches any one label: name one.
		return "bkjob-local-agent" + strings.TrimPrefix(n, "*"), nil
	}
	if len(leaf.IPAddresses) > 0 {
		return leaf.IPAddresses[0].String(), nil
	}
	return "", errors.New("it names no DNS name or IP address (subject alternative name) for the built-in agent to verify")
}
