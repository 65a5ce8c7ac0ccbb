package httpx

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// streamDeadlines lifts the server's read and write timeouts from a response
// that is a stream (Server-Sent Events, e.g. /api/web/logs/stream): the
// handler decides by the Content-Type it answers with, never the client.
// Agent WebSockets need nothing here: net/http clears a connection's
// deadlines when it is hijacked.
func streamDeadlines(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		res.Before(func() {
			if !strings.HasPrefix(res.Header().Get(echo.HeaderContentType), "text/event-stream") {
				return
			}
			ClearDeadlines(res.Writer)
		})
		return next(c)
	}
}

// ClearDeadlines removes the read and write deadlines of w's connection, for
// a handler that keeps its request open on purpose. A connection that does
// not support deadlines is left as it is.
func ClearDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	_ = rc.SetReadDeadline(time.Time{})
}
