// Package errs holds bkjob's typed error: a stable code, the HTTP status it
// maps to, a message and optionally the request field at fault. Errors cross
// the bus and the HTTP boundary as (code, message, field) and come back as an
// *Error with the same code, so errors.Is against a sentinel still works.
package errs

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a coded error. Two *Error values match under errors.Is when their
// codes are equal, so a sentinel declared in a contract package matches the
// same error after it has been wrapped, serialised and decoded again.
type Error struct {
	Code    string `json:"code"`
	Status  int    `json:"status"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// New declares a sentinel error.
func New(code string, status int, message string) *Error {
	return &Error{Code: code, Status: status, Message: message}
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Is reports whether target is an *Error with the same code, or is the
// kind e refines: a missing parameter, a wrongly typed one and an
// unreadable body are all ErrInvalid too.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && (t.Code == e.Code || t.Code == parentCode(e.Code))
}

// parentCode is the code of the generic kind code refines ("" for none).
func parentCode(code string) string {
	switch code {
	case ErrRequired.Code, ErrInvalidType.Code, ErrBadBody.Code:
		return ErrInvalid.Code
	case ErrUnsupportedAPI.Code:
		return ErrNotFound.Code
	}
	return ""
}

// Withf returns a copy of e with a more specific message.
func (e *Error) Withf(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// OnField returns a copy of e naming the request field at fault.
func (e *Error) OnField(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// Generic sentinels shared by every module.
var (
	ErrInvalid        = New("common.invalidArgument", http.StatusBadRequest, "invalid argument")
	ErrNotFound       = New("common.notFound", http.StatusNotFound, "not found")
	ErrConflict       = New("common.conflict", http.StatusConflict, "conflict")
	ErrUnauthorized   = New("common.unauthorized", http.StatusUnauthorized, "authentication required")
	ErrForbidden      = New("common.forbidden", http.StatusForbidden, "permission denied")
	ErrTooMany        = New("common.tooManyRequests", http.StatusTooManyRequests, "too many requests")
	ErrUnavailable    = New("common.unavailable", http.StatusServiceUnavailable, "service unavailable")
	ErrNotImplemented = New("common.notImplemented", http.StatusNotImplemented, "not implemented yet")
	ErrTimeout        = New("common.timeout", http.StatusGatewayTimeout, "timed out")
	ErrInternal       = New("common.internal", http.StatusInternalServerError, "internal error")

	// Refinements of ErrInvalid (they match it under errors.Is), which
	// bk-job's API answers with codes of their own.
	ErrRequired    = New("common.missingArgument", http.StatusBadRequest, "is required")
	ErrInvalidType = New("common.invalidType", http.StatusBadRequest, "has the wrong type")
	ErrBadBody     = New("common.badBody", http.StatusBadRequest, "request body missing or not JSON")
	// ErrUnsupportedAPI is an endpoint name nobody serves, or a method the
	// endpoint does not accept (a refinement of ErrNotFound).
	ErrUnsupportedAPI = New("common.unsupportedAPI", http.StatusNotFound, "unsupported API")
	// A backend that cannot be reached: bk-job answers each with a code of
	// its own (1252001, 1255001, 1250001). The backend's packages raise
	// them, wrapping the connection error for the log; the message is all
	// a client sees.
	ErrDatabase = New("common.database", http.StatusServiceUnavailable, "database unavailable")
	ErrBroker   = New("common.broker", http.StatusServiceUnavailable, "message broker unavailable")
	ErrRedis    = New("common.redis", http.StatusServiceUnavailable, "redis unavailable")
)

// Unreachable marks cause as backend (ErrDatabase, ErrBroker, ErrRedis)
// being unreachable: errors.As finds backend's *Error, errors.Is still
// finds cause, and Error() keeps cause's text for the log.
func Unreachable(backend *Error, cause error) error {
	return &unreachable{backend: backend, cause: cause}
}

// BackendDown returns the ErrDatabase, ErrBroker or ErrRedis in err's
// chain, or nil when err is not about a backend out of reach.
func BackendDown(err error) *Error {
	for _, b := range []*Error{ErrDatabase, ErrBroker, ErrRedis} {
		if errors.Is(err, b) {
			return b
		}
	}
	return nil
}

type unreachable struct {
	backend *Error
	cause   error
}

func (u *unreachable) Error() string   { return u.backend.Message + ": " + u.cause.Error() }
func (u *unreachable) Unwrap() []error { return []error{u.backend, u.cause} }

// Required names a required parameter the request lacks:
// errs.Required("job_instance_id"), or with how to give it:
// errs.Required("bk_scope_id").Withf("is required: give bk_scope_type and bk_scope_id").
func Required(field string) *Error {
	return ErrRequired.OnField(field)
}

// Invalid is shorthand for a 400 naming the field: errs.Invalid("timeout", "must be 1..259200").
func Invalid(field, format string, args ...any) *Error {
	return ErrInvalid.Withf(format, args...).OnField(field)
}

// From extracts the *Error in err's chain. An error nobody typed becomes
// ErrInternal with its generic message: its text (file paths, addresses,
// SQL) was not written for a client, so it stays in the log of the side
// that failed and never travels further.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrInternal
}

// Internal is the error a client gets for a failure nobody typed: the
// generic message and the request id under which the details were logged.
func Internal(requestID string) *Error {
	if requestID == "" {
		return ErrInternal
	}
	return ErrInternal.Withf("internal error (request id %s)", requestID)
}
