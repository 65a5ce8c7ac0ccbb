package httpx

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
)

func TestForwardedForIsBelievedOnlyFromTrustedProxies(t *testing.T) {
	_, proxies, err := net.ParseCIDR("10.0.0.0/30")
	require.NoError(t, err)
	tests := []struct {
		name     string
		trusted  []*net.IPNet
		peer     string
		xff, xri string
		want     string
	}{
		{"no proxies configured: forged XFF ignored", nil, "198.51.100.7:5000", "203.0.113.9", "", "198.51.100.7"},
		{"no proxies configured: forged X-Real-IP ignored", nil, "198.51.100.7:5000", "", "203.0.113.9", "198.51.100.7"},
		{"loopback peer is not trusted by default", nil, "127.0.0.1:5000", "203.0.113.9", "", "127.0.0.1"},
		{"untrusted peer with proxies configured", []*net.IPNet{proxies}, "10.0.0.9:5000", "203.0.113.9", "", "10.0.0.9"},
		{"private peer outside the list", []*net.IPNet{proxies}, "192.168.1.1:5000", "203.0.113.9", "", "192.168.1.1"},
		{"trusted proxy: XFF used", []*net.IPNet{proxies}, "10.0.0.1:5000", "203.0.113.9", "", "203.0.113.9"},
		{"trusted proxy: X-Real-IP used", []*net.IPNet{proxies}, "10.0.0.1:5000", "", "203.0.113.9", "203.0.113.9"},
		{"trusted proxy: the client's own forged entry is skipped", []*net.IPNet{proxies}, "10.0.0.1:5000", "6.6.6.6, 203.0.113.9", "", "203.0.113.9"},
		{"two trusted hops", []*net.IPNet{proxies}, "10.0.0.1:5000", "203.0.113.9, 10.0.0.2", "", "203.0.113.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &syncBuffer{}
			s, err := NewServer(Options{Addr: "127.0.0.1:0", TrustedProxies: tt.trusted}, slog.New(slog.NewTextHandler(logs, nil)))
			require.NoError(t, err)
			s.Echo.POST("/api/web/login", func(c echo.Context) error { return c.String(http.StatusOK, c.RealIP()) })
			req := httptest.NewRequest(http.MethodPost, "/api/web/login", nil)
			req.RemoteAddr = tt.peer
			if tt.xff != "" {
				req.Header.Set(echo.HeaderXForwardedFor, tt.xff)
			}
			if tt.xri != "" {
				req.Header.Set(echo.HeaderXRealIP, tt.xri)
			}
			rec := httptest.NewRecorder()
			s.Echo.ServeHTTP(rec, req)
			require.Equal(t, tt.want, rec.Body.String())
			require.Contains(t, logs.String(), "remote="+tt.want, "the access log records the same address")
		})
	}
}
