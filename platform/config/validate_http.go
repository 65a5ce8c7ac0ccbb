package config

import (
	"fmt"
	"net"
	"strings"
)

// minBodyBytes keeps a configured body limit above what a login or a small
// API call needs.
const minBodyBytes = 4 << 10

func (c *Config) validateHTTP() error {
	h := c.HTTP
	checks := []func() error{
		func() error { return atLeast64("http.max_body_bytes", h.MaxBodyBytes, minBodyBytes) },
		func() error { return atLeast64("http.max_job_body_bytes", h.MaxJobBodyBytes, h.MaxBodyBytes) },
		func() error { return positive("http.read_header_timeout", h.ReadHeaderTimeout) },
		func() error { return positive("http.read_timeout", h.ReadTimeout) },
		func() error { return positive("http.write_timeout", h.WriteTimeout) },
		func() error { return positive("http.idle_timeout", h.IdleTimeout) },
		func() error {
			_, err := ParseTrustedProxies(h.TrustedProxies)
			return err
		},
		func() error {
			if (h.TLSCertFile == "") != (h.TLSKeyFile == "") {
				return &KeyError{Key: "http.tls_cert_file", Reason: "http.tls_cert_file and http.tls_key_file are set together or not at all"}
			}
			return nil
		},
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// TLSEnabled reports whether the HTTP server terminates TLS itself.
func (h HTTP) TLSEnabled() bool { return h.TLSCertFile != "" && h.TLSKeyFile != "" }

// ParseTrustedProxies reads http.trusted_proxies: each entry is an IP or a
// CIDR; a bare IP trusts that one address.
func ParseTrustedProxies(list []string) ([]*net.IPNet, error) {
	out := make([]*net.IPNet, 0, len(list))
	for _, entry := range list {
		entry = strings.TrimSpace(entry)
		if !strings.Contains(entry, "/") {
			ip := net.ParseIP(entry)
			if ip == nil {
				return nil, &KeyError{Key: "http.trusted_proxies", Reason: fmt.Sprintf("%q is neither an IP nor a CIDR", entry)}
			}
			bits := 128
			if v4 := ip.To4(); v4 != nil {
				ip, bits = v4, 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(entry)
		if err != nil {
			return nil, &KeyError{Key: "http.trusted_proxies", Reason: fmt.Sprintf("%q is neither an IP nor a CIDR", entry)}
		}
		out = append(out, n)
	}
	return out, nil
}

func atLeast64(key string, v, least int64) error {
	if v < least {
		return &KeyError{Key: key, Reason: fmt.Sprintf("must be at least %d, got %d", least, v)}
	}
	return nil
}
