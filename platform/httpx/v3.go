package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/i18n"
)

// V3Envelope is bk-job's OpenAPI v3 response body. HTTP status is 200 for
// every answered request, as bk-job does; the outcome is in result/code.
type V3Envelope struct {
	Result       bool   `json:"result"`
	Code         int    `json:"code"`
	Message      string `json:"message"`
	Data         any    `json:"data"`
	JobRequestID string `json:"job_request_id"`
	// Permission says what to apply for on a 1238001 (no permission) answer.
	Permission *Permission `json:"permission,omitempty"`
}

// V3Page is the data of a v3 list endpoint.
type V3Page[T any] struct {
	Start  int `json:"start"`
	Total  int `json:"total"`
	Length int `json:"length"`
	Data   []T `json:"data"`
}

// V3OK writes a successful envelope in the request's language: its
// message, and the texts of data when data is an i18n.Localizer (status
// descriptions next to their numbers).
func V3OK(c echo.Context, data any) error {
	return c.JSON(http.StatusOK, V3Envelope{Result: true, Code: 0, Message: TranslatorOf(c).Text(v3SuccessKey, nil),
		Data: localized(c, data), JobRequestID: RequestID(c)})
}

// localized is data with its texts in the request's language when it is
// an i18n.Localizer; every surface (v3, web) answers through it.
func localized(c echo.Context, data any) any {
	if l, ok := data.(i18n.Localizer); ok {
		return l.Localized(TranslatorOf(c))
	}
	return data
}

// V3Error writes a failed envelope for err. The message, in the request's
// language (v3Message), names the field when the error does; a
// *PermissionError adds its permission object.
// Authentication failures keep their 401 and throttling its 429 (as bk-job's
// running-job quota does) so gateways and clients see them; everything else
// is 200 with result false, as bk-job does.
func V3Error(c echo.Context, err error) error {
	var typed *errs.Error
	e := errs.From(err)
	if !errors.As(err, &typed) {
		// An error without a code is a failure nobody described for the
		// caller: its details (addresses, SQL) go to the log, not the client.
		loggerOf(c).Error("v3 request failed", "path", c.Request().URL.Path, "request_id", RequestID(c), "err", err)
		e = errs.Internal(RequestID(c))
	} else if e.Status == http.StatusServiceUnavailable {
		// A backend out of reach (1252001, 1255001, 1250001, 1240001): the
		// client gets the code, the log gets the cause (address, driver text).
		loggerOf(c).Warn("v3 request failed: backend unavailable", "path", c.Request().URL.Path, "request_id", RequestID(c), "code", e.Code, "err", err)
	}
	status := http.StatusOK
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusTooManyRequests {
		status = e.Status
	}

	code := V3Code(e)
	return c.JSON(status, V3Envelope{Result: false, Code: code, Message: v3Message(c, code, e), Data: nil,
		JobRequestID: RequestID(c), Permission: PermissionOf(err)})
}

// RequestID returns the request id set by the request-id middleware, or a new one.
func RequestID(c echo.Context) string {
	if id := c.Response().Header().Get(echo.HeaderXRequestID); id != "" {
		return id
	}
	if id := c.Request().Header.Get(echo.HeaderXRequestID); id != "" {
		return id
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// V3PostOnly answers a GET on an endpoint bk-job serves by POST only
// (backend_http_methods in the reference): 1239003, API_UNSUPPORTED.
func V3PostOnly(c echo.Context) error {
	return V3Error(c, errs.ErrUnsupportedAPI.Withf("%s accepts POST only", strings.TrimSuffix(c.Path(), "/")))
}
