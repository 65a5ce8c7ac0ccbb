package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/labstack/echo/v4"
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

// v3 numeric codes for typed errors, from bk-job's ErrorCode table where it
// has one. Unlisted codes fall back by HTTP status.
var v3CodeByStatus = map[int]int{
	http.StatusBadRequest:          1240002, // ILLEGAL_PARAM
	http.StatusUnauthorized:        1240005, // SERVICE_AUTH_FAIL: v3 authenticates apps
	http.StatusForbidden:           1238001, // PERMISSION_DENIED
	http.StatusNotFound:            1240003,
	http.StatusConflict:            1240004,
	http.StatusTooManyRequests:     1244032,
	http.StatusNotImplemented:      1240099,
	http.StatusServiceUnavailable:  1240098,
	http.StatusGatewayTimeout:      1240097,
	http.StatusInternalServerError: 1240001,
}

// v3IllegalParamWithName is bk-job's ILLEGAL_PARAM_WITH_PARAM_NAME, the
// code of an invalid parameter the error names (errs.Invalid).
const v3IllegalParamWithName = 1241005

// v3CodeByErrCode overrides the status fallback for errors whose bk-job
// code is more precise than their HTTP status.
var v3CodeByErrCode = map[string]int{
	"auth.throttled": 1239008, // API_OVER_LOAD: login / secret checks rate limited or locked out
}

// V3Code returns the numeric v3 code for err (0 for nil).
func V3Code(err error) int {
	if err == nil {
		return 0
	}
	e := errs.From(err)
	if c, ok := v3CodeByErrCode[e.Code]; ok {
		return c
	}
	if errors.Is(e, errs.ErrInvalid) && e.Field != "" {
		return v3IllegalParamWithName
	}
	if c, ok := v3CodeByStatus[e.Status]; ok {
		return c
	}
	return 1240001
}

// V3OK writes a successful envelope.
func V3OK(c echo.Context, data any) error {
	return c.JSON(http.StatusOK, V3Envelope{Result: true, Code: 0, Message: "success", Data: data, JobRequestID: RequestID(c)})
}

// V3Error writes a failed envelope for err. The message names the field when
// the error does; a *PermissionError adds its permission object.
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
	}
	status := http.StatusOK
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusTooManyRequests {
		status = e.Status
	}
	return c.JSON(status, V3Envelope{Result: false, Code: V3Code(e), Message: e.Error(), Data: nil,
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
