package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/errs"
)

// The web API's CSRF defence: a request that changes something and is
// authenticated by the session cookie must also carry the session's CSRF
// token in a header. Another site can make a browser send the cookie, but
// cannot read the token to set the header. Requests with a bearer token
// carry no ambient credential and need none.
const (
	// CSRFCookie holds the token for the UI's script to copy into CSRFHeader.
	CSRFCookie = "bkjob_csrf"
	// CSRFHeader is where a state-changing web request carries the token.
	CSRFHeader = "X-CSRF-Token"
)

// ErrSession refuses a web request without a valid session (401, bk-job's
// COOKIE_ILLEGAL).
var ErrSession = errs.New("auth.session", http.StatusUnauthorized, "not logged in")

// ErrCSRF refuses a cookie-authenticated state change without the token.
var ErrCSRF = errs.New("auth.csrf", http.StatusForbidden, "missing or wrong CSRF token")

// csrfToken is a session's CSRF token: derived from the session token, so
// nothing more is stored, and unguessable without it.
func csrfToken(session string) string {
	sum := sha256.Sum256([]byte("bkjob-csrf\x00" + session))
	return hex.EncodeToString(sum[:])
}

// checkCSRF passes safe methods and requests authenticated otherwise than
// by the cookie; the others must carry the session's token.
func checkCSRF(c echo.Context, session string, fromCookie bool) error {
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if !fromCookie {
		return nil
	}
	got := c.Request().Header.Get(CSRFHeader)
	if subtle.ConstantTimeCompare([]byte(got), []byte(csrfToken(session))) != 1 {
		return ErrCSRF.Withf("send the %s cookie's value in the %s header", CSRFCookie, CSRFHeader)
	}
	return nil
}

// setCookie sets one of the web session's cookies with every attribute
// explicit. Secure follows the request's scheme: the zero-config server on
// one host speaks plain HTTP and must still log in; behind TLS the cookies
// are Secure. maxAge < 0 deletes the cookie.
func setCookie(c echo.Context, name, value string, expires time.Time, maxAge int, httpOnly bool, sameSite http.SameSite) {
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/", Expires: expires, MaxAge: maxAge, //nolint:gosec // G124: Secure is set below, per scheme (see above)
		HttpOnly: httpOnly, SameSite: sameSite, Secure: c.Scheme() == "https"})
}

// setCSRFCookie gives the UI the session's token; script-readable on
// purpose (the UI copies it into X-CSRF-Token), same-site only.
func setCSRFCookie(c echo.Context, session string, expires time.Time) {
	setCookie(c, CSRFCookie, csrfToken(session), expires, 0, false, http.SameSiteStrictMode)
}

// clearCSRFCookie drops it at logout.
func clearCSRFCookie(c echo.Context) {
	setCookie(c, CSRFCookie, "", time.Time{}, -1, false, http.SameSiteStrictMode)
}
