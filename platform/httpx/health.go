package httpx

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// MountHealth serves /healthz (the process is up) and /readyz (every
// selected role is ready; notReady lists those that are not).
func (s *Server) MountHealth(notReady func() []string) {
	s.Echo.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	s.Echo.GET("/readyz", func(c echo.Context) error {
		if pending := notReady(); len(pending) > 0 {
			return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "not ready", "roles": pending})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
}
