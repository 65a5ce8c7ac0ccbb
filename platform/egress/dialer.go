package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// Policy decides which addresses outbound requests may reach.
type Policy struct {
	// AllowPrivate lets loopback, private, link-local and CGNAT addresses
	// through (test rigs, all-internal deployments). Metadata, unspecified
	// and multicast addresses stay refused.
	AllowPrivate bool
	// Lookup resolves a host name (tests); nil uses the system resolver.
	Lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

// RefusedError is a dial to an address the policy refuses.
type RefusedError struct {
	Addr   string
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused to connect to %s: %s", e.Addr, e.Reason)
}

// DialContext resolves addr's host and connects to the first of its
// addresses that answers. Every address is checked by the dialer's Control
// hook, on the address actually connected to.
func (p Policy) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("dial %s: bad port", addr)
	}
	ips, err := p.resolve(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	d := net.Dialer{Timeout: 30 * time.Second, Control: p.control}
	var errsOut []error
	for _, ip := range ips {
		conn, err := d.DialContext(ctx, network, netip.AddrPortFrom(ip.Unmap(), uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		errsOut = append(errsOut, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errsOut...)
}

func (p Policy) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	lookup := p.Lookup
	if lookup == nil {
		lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	ips, err := lookup(ctx, host)
	if err == nil && len(ips) == 0 {
		err = errors.New("no addresses")
	}
	return ips, err
}

// control runs after resolution and before connect, on the very address
// connected to: DNS answers that change between checks do not matter.
func (p Policy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Addr: address, Reason: "not an IP address"}
	}
	if why := Blocked(ap.Addr(), p.AllowPrivate); why != "" {
		return &RefusedError{Addr: ap.Addr().String(), Reason: why}
	}
	return nil
}

// NewClient is an HTTP client that dials through p, uses no proxy, and
// never follows redirects (the 3xx response is returned as it is).
// timeout bounds each request.
func NewClient(p Policy, timeout time.Duration) *http.Client {
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           p.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
