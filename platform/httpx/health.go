package httpx

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// MountHealth serves /healthz (the process is up) and /readyz (every
// selected role is ready and every backend answers). notReady lists the
// roles that are not ready; down, when set, the backends that stopped
// answering (names only: addresses and errors go to the log).
func (s *Server) MountHealth(notReady, down func() []string) {
	s.Echo.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	s.Echo.GET("/readyz", func(c echo.Context) error {
		pending := notReady()
		var gone []string
		if down != nil {
			gone = down()
		}
		if len(pending) > 0 || len(gone) > 0 {
			body := map[string]any{"status": "not ready", "roles": pending}
			if len(gone) > 0 {
				body["backends_down"] = gone
			}
			return c.JSON(http.StatusServiceUnavailable, body)
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
}
