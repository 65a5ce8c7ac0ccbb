package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHTTPDefaultsAreBounded(t *testing.T) {
	cfg, err := Load(Sources{})
	require.NoError(t, err)
	h := cfg.HTTP
	require.Equal(t, int64(1<<20), h.MaxBodyBytes)
	require.Equal(t, int64(16<<20), h.MaxJobBodyBytes)
	for _, d := range []time.Duration{h.ReadHeaderTimeout, h.ReadTimeout, h.WriteTimeout, h.IdleTimeout} {
		require.Positive(t, d)
	}
	require.Empty(t, h.TrustedProxies, "no proxy is trusted unless configured")
	require.False(t, h.TLSEnabled())
}

func TestHTTPKeysAreChecked(t *testing.T) {
	tests := []struct {
		name    string
		env     []string
		wantKey string
	}{
		{"tiny body limit", []string{"BKJOB_HTTP__MAX_BODY_BYTES=10"}, "http.max_body_bytes"},
		{"job limit below default", []string{"BKJOB_HTTP__MAX_JOB_BODY_BYTES=8192"}, "http.max_job_body_bytes"},
		{"zero read timeout", []string{"BKJOB_HTTP__READ_TIMEOUT=0s"}, "http.read_timeout"},
		{"zero write timeout", []string{"BKJOB_HTTP__WRITE_TIMEOUT=0s"}, "http.write_timeout"},
		{"zero idle timeout", []string{"BKJOB_HTTP__IDLE_TIMEOUT=0s"}, "http.idle_timeout"},
		{"zero header timeout", []string{"BKJOB_HTTP__READ_HEADER_TIMEOUT=0s"}, "http.read_header_timeout"},
		{"bad proxy", []string{"BKJOB_HTTP__TRUSTED_PROXIES=10.0.0.1,proxy.internal"}, "http.trusted_proxies"},
		{"bad cidr", []string{"BKJOB_HTTP__TRUSTED_PROXIES=10.0.0.0/99"}, "http.trusted_proxies"},
		{"cert without key", []string{"BKJOB_HTTP__TLS_CERT_FILE=/etc/bkjob/cert.pem"}, "http.tls_cert_file"},
		{"key without cert", []string{"BKJOB_HTTP__TLS_KEY_FILE=/etc/bkjob/key.pem"}, "http.tls_cert_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(Sources{Env: tt.env})
			var ke *KeyError
			require.ErrorAs(t, err, &ke)
			require.Equal(t, tt.wantKey, ke.Key, err.Error())
		})
	}
}

func TestTrustedProxiesList(t *testing.T) {
	cfg, err := Load(Sources{Env: []string{"BKJOB_HTTP__TRUSTED_PROXIES=10.0.0.7, 192.168.0.0/16,::1"}})
	require.NoError(t, err)
	nets, err := ParseTrustedProxies(cfg.HTTP.TrustedProxies)
	require.NoError(t, err)
	require.Len(t, nets, 3)
	require.Equal(t, "10.0.0.7/32", nets[0].String())
	require.Equal(t, "192.168.0.0/16", nets[1].String())
	require.Equal(t, "::1/128", nets[2].String())
}
