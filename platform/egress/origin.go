package egress

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Origin is a URL's scheme, host and port, normalised: the scheme and host
// in lower case, the host without a trailing dot or IPv6 brackets, and the
// port always explicit (80 for http, 443 for https).
type Origin struct {
	Scheme string
	Host   string
	Port   uint16
}

// String renders o as scheme://host:port.
func (o Origin) String() string {
	host := o.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("%s://%s:%d", o.Scheme, host, o.Port)
}

// IP is the host as an address when it is an IP literal.
func (o Origin) IP() (netip.Addr, bool) {
	a, err := netip.ParseAddr(o.Host)
	return a, err == nil
}

// ParseTarget checks a URL requests may be sent to: absolute http or https,
// a valid host, no userinfo, no fragment. It returns the URL and its origin.
func ParseTarget(raw string) (*url.URL, Origin, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, Origin{}, errors.New("not a valid URL")
	}
	o, err := originOf(u)
	if err != nil {
		return nil, Origin{}, err
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, Origin{}, errors.New("must not have a fragment")
	}
	return u, o, nil
}

// ParseOrigin parses an allowlist entry: scheme://host[:port], with at most
// a "/" for a path and nothing else.
func ParseOrigin(raw string) (Origin, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return Origin{}, fmt.Errorf("%q is not a valid URL", raw)
	}
	o, err := originOf(u)
	if err != nil {
		return Origin{}, fmt.Errorf("%q: %w", raw, err)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return Origin{}, fmt.Errorf("%q: must be scheme://host[:port] with no path, query or fragment", raw)
	}
	return o, nil
}

func originOf(u *url.URL) (Origin, error) {
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return Origin{}, errors.New("must be an absolute http or https URL")
	}
	if u.Opaque != "" || u.Host == "" {
		return Origin{}, errors.New("must be an absolute http or https URL with a host")
	}
	if u.User != nil {
		return Origin{}, errors.New("must not contain a user name or password")
	}
	host, err := normHost(u.Hostname())
	if err != nil {
		return Origin{}, err
	}
	port := uint16(80)
	if scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return Origin{}, fmt.Errorf("port %q is not valid", p)
		}
		port = uint16(n)
	} else if strings.HasSuffix(u.Host, ":") {
		return Origin{}, errors.New("empty port")
	}
	return Origin{Scheme: scheme, Host: host, Port: port}, nil
}

// normHost lower-cases a host and checks it is an IP literal (no zone) or a
// DNS name of letters, digits, '-' and '_' whose last label is not numeric
// (resolvers read "127.1" or "0x7f.1" as addresses).
func normHost(h string) (string, error) {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if h == "" {
		return "", errors.New("must have a host")
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if a.Zone() != "" {
			return "", errors.New("must not have an IPv6 zone")
		}
		return a.String(), nil
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "", fmt.Errorf("host %q is not valid", h)
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", fmt.Errorf("host %q is not valid", h)
			}
		}
	}
	if numericLabel(labels[len(labels)-1]) {
		return "", fmt.Errorf("host %q is not a valid address or name", h)
	}
	return h, nil
}

func numericLabel(l string) bool {
	if strings.HasPrefix(l, "0x") {
		return true
	}
	for _, c := range l {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Allowlist is a set of origins; empty allows any.
type Allowlist []Origin

// ParseAllowlist parses every entry with ParseOrigin; the error names the
// first bad one.
func ParseAllowlist(entries []string) (Allowlist, error) {
	out := make(Allowlist, 0, len(entries))
	for i, e := range entries {
		o, err := ParseOrigin(e)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// Allows reports whether o is in the list (always, when it is empty).
func (a Allowlist) Allows(o Origin) bool {
	if len(a) == 0 {
		return true
	}
	for _, x := range a {
		if x == o {
			return true
		}
	}
	return false
}
