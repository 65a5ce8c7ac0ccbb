package httpx

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/labstack/echo/v4"
)

// ErrorBody is the JSON body of every failed /api/web and /api/v4-style request.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail carries the stable code (translatable), the message and the field.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Permission says what to apply for when the answer is 403 for a scope.
	Permission *Permission `json:"permission,omitempty"`
}

// ErrorHandler is the one error mapper: typed errors become their status and
// stable code; echo's own errors keep their status; anything else is a 500
// whose details go to the log, not to the client.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, detail := mapError(err)
		if status >= 500 {
			log.Error("http request failed", "path", c.Request().URL.Path, "err", err)
		}
		detail.RequestID = RequestID(c)
		detail.Permission = PermissionOf(err)
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, ErrorBody{Error: detail})
	}
}

func mapError(err error) (int, ErrorDetail) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code := "http." + http.StatusText(he.Code)
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok {
			msg = m
		}
		return he.Code, ErrorDetail{Code: code, Message: msg}
	}
	var e *errs.Error
	if errors.As(err, &e) {
		status := e.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		// A typed error's message was written for the caller; only untyped
		// errors (below) are hidden.
		return status, ErrorDetail{Code: e.Code, Message: e.Message, Field: e.Field}
	}
	return http.StatusInternalServerError, ErrorDetail{Code: errs.ErrInternal.Code, Message: "internal error"}
}
