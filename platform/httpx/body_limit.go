package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/errs"
)

// bodyLimits holds the default request-body limit and the routes allowed
// more (or less). Routes are echo route paths, e.g. "/api/v3/push_config_file".
type bodyLimits struct {
	mu       sync.RWMutex
	fallback int64
	routes   map[string]int64
}

func (b *bodyLimits) set(route string, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.routes[strings.TrimSuffix(route, "/")] = n
}

func (b *bodyLimits) forRoute(route string) int64 {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if n, ok := b.routes[strings.TrimSuffix(route, "/")]; ok {
		return n
	}
	return b.fallback
}

// SetBodyLimit gives the route (an echo route path; a trailing slash is
// ignored) its own request-body limit instead of http.max_body_bytes.
func (s *Server) SetBodyLimit(route string, n int64) {
	s.limits.set(route, n)
}

// BodyLimit returns the request-body limit of route.
func (s *Server) BodyLimit(route string) int64 {
	return s.limits.forRoute(route)
}

// bodyLimit refuses a request whose declared length is over its route's
// limit before anything reads it (so the handler never runs), and cuts a
// body of unknown length (chunked) off at the limit while it is read.
func bodyLimit(limits *bodyLimits) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			limit := limits.forRoute(c.Path())
			if r.ContentLength > limit {
				return bodyTooLarge(c, limit)
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
			}
			err := next(c)
			var mbe *http.MaxBytesError
			if err != nil && errors.As(err, &mbe) && !c.Response().Committed {
				return bodyTooLarge(c, limit)
			}
			return err
		}
	}
}

// bodyTooLarge answers 413 in the route's own error body: bk-job's envelope
// on /api/v3, the project's error body elsewhere. The v3 code is 1239004
// (API_PARAM_NULL_OR_ILLEGAL: the body cannot be taken as it is); bk-job
// has no code for an oversized request body (1243015,
// UPLOAD_FILE_MAX_SIZE_EXCEEDED, is about uploaded files). The status stays
// 413, as bk-job's gateway answers before the API is reached.
func bodyTooLarge(c echo.Context, limit int64) error {
	e := errs.New("common.bodyTooLarge", http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", limit))
	// The client may still be sending: close the connection after the
	// answer instead of reading the rest.
	c.Response().Header().Set(echo.HeaderConnection, "close")
	if isV3(c) {
		return c.JSON(http.StatusRequestEntityTooLarge, V3Envelope{
			Result: false, Code: v3APIParamNullOrIllegal, Message: v3Message(c, v3APIParamNullOrIllegal, e), JobRequestID: RequestID(c),
		})
	}
	return e
}

func isV3(c echo.Context) bool {
	p := c.Path()
	if p == "" {
		p = c.Request().URL.Path
	}
	return strings.HasPrefix(p, "/api/v3/")
}
