package httpx

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/labstack/echo/v4"
)

// ErrorBody is the JSON body of every failed request outside v3 (the web
// API, health, the UI's files): the same numeric codes as v3's envelope
// (platform/httpx/v3_codes.go), the message in the caller's language, the
// field at fault, and what to apply for on 1238001. The HTTP status is the
// real one (400, 401, 403, 404, 409, 413, 429, 500, 503).
type ErrorBody struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Permission says what to apply for when the answer is 403 for a scope.
	Permission *Permission `json:"permission,omitempty"`
}

// ErrorHandler is the one error mapper: typed errors become their status and
// code; echo's own errors keep their status; anything else is a 500 whose
// details go to the log, not to the client.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, e := typedError(err)
		if status >= 500 {
			log.Error("http request failed", "path", c.Request().URL.Path, "request_id", RequestID(c), "err", err)
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		code := V3Code(e)
		_ = c.JSON(status, ErrorBody{Code: code, Message: v3Message(c, code, e), Field: e.Field,
			RequestID: RequestID(c), Permission: PermissionOf(err)})
	}
}

// typedError is err as the client may see it, with its HTTP status.
func typedError(err error) (int, *errs.Error) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok {
			msg = m
		}
		if he.Code == http.StatusNotFound || he.Code == http.StatusMethodNotAllowed {
			// No route, or not this method: bk-job's API_UNSUPPORTED, as on v3.
			return he.Code, &errs.Error{Code: errs.ErrUnsupportedAPI.Code, Status: he.Code, Message: msg}
		}
		return he.Code, &errs.Error{Code: "http." + http.StatusText(he.Code), Status: he.Code, Message: msg}
	}
	var e *errs.Error
	if errors.As(err, &e) {
		status := e.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		// A typed error's message was written for the caller; only untyped
		// errors (below) are hidden.
		return status, e
	}
	return http.StatusInternalServerError, errs.ErrInternal
}
