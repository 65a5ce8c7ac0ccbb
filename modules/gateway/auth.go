package gateway

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"
)

// AuthHeader carries API credentials, as BlueKing's API gateway sends them.
const AuthHeader = "X-Bkapi-Authorization"

// SessionCookie holds the web session token.
const SessionCookie = "bkjob_session"

type apiCredentials struct {
	AppCode   string `json:"bk_app_code"`
	AppSecret string `json:"bk_app_secret"`
	Username  string `json:"bk_username"`
}

// ErrBadCredentials is the one answer for every authentication failure, so
// a caller cannot probe which part was wrong.
var ErrBadCredentials = errs.New("auth.badCredentials", http.StatusUnauthorized, "invalid app code, app secret or user")

// apiAuth authenticates an OpenAPI request by the credentials of the door
// it came in by (v3AliasOf), sets the actor, and only then answers a path
// that names no endpoint there (1239003):
//
//   - /api/v3/<name> and /api/v3/system/<name>: X-Bkapi-Authorization;
//   - bk-job's ESB paths: bk_app_code, bk_app_secret and bk_username in the
//     body or query (esbCredentials), checked as the header is;
//   - /api/job/v3/<service>/<name>: X-Bkapi-JWT when a gateway public key
//     is configured (jwtActor), X-Bkapi-Authorization otherwise.
func (g *Gateway) apiAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		door := v3AliasOf(c)
		var (
			actor httpx.Actor
			err   error
		)
		switch {
		case door.kind == pathESB:
			actor, err = g.esbActor(c)
		case door.kind == pathBackend && g.jwt != nil:
			actor, err = g.jwtActor(c)
		default:
			actor, err = g.headerActor(c, door)
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err // the body-limit middleware answers 413
		}
		if err != nil {
			return g.v3AuthError(c, err)
		}
		if door.refusal != nil {
			return httpx.V3Error(c, door.refusal)
		}
		httpx.SetActor(c, actor)
		return next(c)
	}
}

// headerActor checks X-Bkapi-Authorization.
func (g *Gateway) headerActor(c echo.Context, door v3Alias) (httpx.Actor, error) {
	raw := c.Request().Header.Get(AuthHeader)
	if raw == "" {
		if door.kind == pathBackend && c.Request().Header.Get(JWTHeader) != "" {
			return httpx.Actor{}, errs.ErrUnauthorized.Withf("header %s is required: %s is not checked, api.gateway_jwt_public_key_file is not set", AuthHeader, JWTHeader)
		}
		return httpx.Actor{}, errs.ErrUnauthorized.Withf("header %s is required", AuthHeader)
	}
	var cred apiCredentials
	if err := json.Unmarshal([]byte(raw), &cred); err != nil || cred.AppCode == "" || cred.AppSecret == "" {
		return httpx.Actor{}, errs.ErrUnauthorized.Withf("header %s must be JSON with bk_app_code and bk_app_secret", AuthHeader)
	}
	return g.appActor(c, cred)
}

// appActor checks an app code and secret, from the header or an ESB
// request alike, and returns the app acting for bk_username (for itself
// when that is empty).
func (g *Gateway) appActor(c echo.Context, cred apiCredentials) (httpx.Actor, error) {
	app, err := g.verifyApp(c, cred)
	if err != nil {
		return httpx.Actor{}, &appCheckError{code: cred.AppCode, err: err}
	}
	username := cred.Username
	if username == "" {
		username = app.AppCode
	}
	return httpx.Actor{Username: username, AppCode: app.AppCode, AllScopes: app.AllScopes}, nil
}

// appCheckError is a failed check of an app (refused, throttled, or the
// store failing), with the app code for the log.
type appCheckError struct {
	code string
	err  error
}

func (e *appCheckError) Error() string { return "check app " + e.code + ": " + e.err.Error() }
func (e *appCheckError) Unwrap() error { return e.err }

// v3AuthError answers a failed authentication: a missing or malformed
// credential with its own message (401), a refused or failed app check as
// below.
func (g *Gateway) v3AuthError(c echo.Context, err error) error {
	var ace *appCheckError
	if !errors.As(err, &ace) {
		return httpx.V3Error(c, err)
	}
	code := ace.code
	err = ace.err
	var th *throttled
	switch {
	case errors.As(err, &th):
		g.log.Warn("api auth throttled", "app_code", code, "remote", c.RealIP(), "err", err)
		c.Response().Header().Set("Retry-After", th.retryAfter())
		return httpx.V3Error(c, th.err)
	case refused(err):
		g.log.Warn("api auth refused", "app_code", code, "remote", c.RealIP(), "err", err)
		return httpx.V3Error(c, ErrBadCredentials)
	default:
		// The store or the cache failed: that is not the caller's fault,
		// and answering 401 would make clients rotate good credentials.
		g.log.Error("api auth failed", "app_code", code, "err", err)
		if down := errs.BackendDown(err); down != nil {
			return httpx.V3Error(c, down) // 1252001 / 1255001 / 1250001
		}
		return httpx.V3Error(c, errs.ErrUnavailable.Withf("cannot check credentials now; retry"))
	}
}

// verifyApp checks an app code and secret. A pair verified within
// auth.secret_cache_ttl is accepted from memory; any other check is first
// admitted by the limiter (lockout, per-minute budget of the source address
// and the app), so a locked or throttled caller never costs a bcrypt.
func (g *Gateway) verifyApp(c echo.Context, cred apiCredentials) (apiApp, error) {
	key := cacheKey(cred.AppCode, cred.AppSecret)
	if app, ok := g.verified.get(cred.AppCode, key); ok {
		return app, nil
	}
	ctx := c.Request().Context()
	subjects := []subject{ipSubject(c.RealIP()), appSubject(cred.AppCode)}
	if err := g.limits.admit(ctx, subjects...); err != nil {
		return apiApp{}, err
	}
	app, err := g.st.appByCode(ctx, cred.AppCode)
	if err == nil && !app.Enabled {
		err = errAppDisabled
	}
	if err == nil {
		err = g.compare([]byte(app.SecretHash), []byte(cred.AppSecret))
	} else if errors.Is(err, errNoRow) {
		_ = g.compare(g.decoy, []byte(cred.AppSecret)) // as long as for a real app
	}
	if err != nil {
		if refused(err) {
			g.limits.fail(ctx, subjects...)
		}
		return apiApp{}, err
	}
	g.limits.succeed(ctx, appSubject(cred.AppCode))
	g.verified.put(cred.AppCode, key, app)
	return app, nil
}

// sessionAuth requires a valid web session and sets the actor.
func (g *Gateway) sessionAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, fromCookie := sessionToken(c)
		if token == "" {
			return ErrSession.Withf("log in first")
		}
		sess, err := g.st.sessionByHash(c.Request().Context(), hashToken(token))
		if errors.Is(err, errNoRow) {
			return ErrSession.Withf("session expired, log in again")
		}
		if err != nil {
			return fmt.Errorf("look up session: %w", err)
		}
		u, err := g.st.userByName(c.Request().Context(), sess.Username)
		if errors.Is(err, errNoRow) {
			return ErrSession.Withf("user no longer exists")
		}
		if err != nil {
			return fmt.Errorf("look up user %s: %w", sess.Username, err)
		}
		if err := checkCSRF(c, token, fromCookie); err != nil {
			return err
		}
		httpx.SetActor(c, httpx.Actor{Username: u.Username, AllScopes: u.IsAdmin})
		return next(c)
	}
}

var errAppDisabled = errors.New("app disabled")

// refused reports whether a verification error is the caller's (unknown
// app, disabled app, wrong secret) rather than the store's.
func refused(err error) bool {
	return errors.Is(err, errNoRow) || errors.Is(err, errAppDisabled) || errors.Is(err, bcrypt.ErrMismatchedHashAndPassword)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func cacheKey(code, secret string) string { return hashToken(code + "\x00" + secret) }

// verifiedApps remembers recently verified (app, secret) pairs in this
// process, keyed by app code and the SHA-256 of code and secret, so bcrypt
// runs once per app and secret every auth.secret_cache_ttl rather than per
// request. An app disabled or given a new secret keeps working here for at
// most that long (bootstrapApp forgets its own app at once).
type verifiedApps struct {
	mu      sync.Mutex
	ttl     time.Duration
	entries map[string]verifiedEntry // by app code
}

type verifiedEntry struct {
	key     string
	app     apiApp
	expires time.Time
}

func newVerifiedApps(ttl time.Duration) *verifiedApps {
	return &verifiedApps{ttl: ttl, entries: map[string]verifiedEntry{}}
}

func (v *verifiedApps) get(code, key string) (apiApp, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.entries[code]
	if !ok || e.key != key || time.Now().After(e.expires) {
		return apiApp{}, false
	}
	return e.app, true
}

func (v *verifiedApps) put(code, key string, app apiApp) {
	if v.ttl <= 0 {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.entries[code] = verifiedEntry{key: key, app: app, expires: time.Now().Add(v.ttl)}
}

func (v *verifiedApps) forget(code string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.entries, code)
}

// sessionToken reads the session from the cookie (browser) or a bearer
// header (CLI and scripts).
func sessionToken(c echo.Context) (token string, fromCookie bool) {
	if ck, err := c.Cookie(SessionCookie); err == nil && ck.Value != "" {
		return ck.Value, true
	}
	if t, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer "); ok {
		return t, false
	}
	return "", false
}
