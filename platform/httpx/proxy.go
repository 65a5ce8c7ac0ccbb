package httpx

import (
	"net"
	"net/http"

	"github.com/labstack/echo/v4"
)

// ipExtractor returns the client address c.RealIP() reports. With no trusted
// proxies it is the connection's peer and forwarding headers are ignored;
// otherwise X-Forwarded-For (or, without it, X-Real-IP) is believed only
// when the peer is one of the trusted proxies, and from X-Forwarded-For the
// nearest address that is not a trusted proxy is taken. Loopback, private
// and link-local peers are not trusted unless listed.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	xff := echo.ExtractIPFromXFFHeader(opts...)
	realIP := echo.ExtractIPFromRealIPHeader(opts...)
	return func(r *http.Request) string {
		if len(r.Header.Values(echo.HeaderXForwardedFor)) > 0 {
			return xff(r)
		}
		return realIP(r)
	}
}
