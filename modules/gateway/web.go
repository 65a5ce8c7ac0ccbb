package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/bkjob/bkjob/platform/version"
	"github.com/labstack/echo/v4"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Username  string    `json:"username"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	// CSRFToken goes in the X-CSRF-Token header of every state-changing
	// request made with the session cookie (also in the bkjob_csrf cookie).
	CSRFToken string `json:"csrf_token"`
}

func (g *Gateway) mountWeb(public, authed *echo.Group) {
	public.GET("/version", func(c echo.Context) error { return c.JSON(http.StatusOK, version.Get()) })
	public.POST("/login", g.login)
	authed.POST("/logout", g.logout)
	authed.GET("/service_state", g.serviceState)
	authed.GET("/me", func(c echo.Context) error {
		a, _ := httpx.ActorOf(c)
		return c.JSON(http.StatusOK, a)
	})
}

func (g *Gateway) login(c echo.Context) error {
	var req loginRequest
	if err := c.Bind(&req); err != nil {
		return errs.Invalid("body", "must be JSON with username and password")
	}
	if req.Username == "" {
		return errs.Required("username")
	}
	if req.Password == "" {
		return errs.Required("password")
	}
	ctx := c.Request().Context()
	subjects := []subject{ipSubject(c.RealIP()), userSubject(req.Username)}
	if err := g.limits.admit(ctx, subjects...); err != nil {
		var th *throttled
		if errors.As(err, &th) {
			g.log.Warn("login throttled", "username", req.Username, "remote", c.RealIP(), "err", err)
			c.Response().Header().Set("Retry-After", th.retryAfter())
			return th.err
		}
		return fmt.Errorf("check login limits: %w", err)
	}
	u, err := g.st.userByName(ctx, req.Username)
	if err != nil && !errors.Is(err, errNoRow) {
		return fmt.Errorf("look up user %s: %w", req.Username, err)
	}
	if err == nil {
		err = g.compare([]byte(u.PasswordHash), []byte(req.Password))
	} else {
		_ = g.compare(g.decoy, []byte(req.Password)) // as long as for a real user
	}
	if err != nil {
		g.limits.fail(ctx, subjects...)
		g.log.Warn("login refused", "username", req.Username, "remote", c.RealIP())
		return errs.ErrUnauthorized.Withf("wrong username or password")
	}
	g.limits.succeed(ctx, userSubject(req.Username))
	token := randomToken(32)
	expires := time.Now().Add(g.cfg.Auth.SessionTTL)
	if err := g.st.createSession(ctx, userSession{TokenHash: hashToken(token), Username: u.Username, ExpiresAt: expires}); err != nil {
		return err
	}
	setCookie(c, SessionCookie, token, expires, 0, true, http.SameSiteLaxMode)
	setCSRFCookie(c, token, expires)
	return c.JSON(http.StatusOK, loginResponse{Username: u.Username, Token: token, ExpiresAt: expires, CSRFToken: csrfToken(token)})
}

func (g *Gateway) logout(c echo.Context) error {
	if token, _ := sessionToken(c); token != "" {
		if err := g.st.deleteSession(c.Request().Context(), hashToken(token)); err != nil {
			return err
		}
	}
	setCookie(c, SessionCookie, "", time.Time{}, -1, true, http.SameSiteLaxMode)
	clearCSRFCookie(c)
	return c.NoContent(http.StatusNoContent)
}
