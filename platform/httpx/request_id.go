package httpx

import (
	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/reqid"
)

// requestIDContext puts the request id (set by the request-id middleware
// before it) into the request's context, so the bus carries it to whichever
// role handles a call and a failure logged there is found by the id the
// client was given.
func requestIDContext(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		c.SetRequest(r.WithContext(reqid.With(r.Context(), RequestID(c))))
		return next(c)
	}
}
