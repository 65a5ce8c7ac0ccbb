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
	"golang.org/x/crypto/bcrypt"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Username  string    `json:"username"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (g *Gateway) mountWeb(public, authed *echo.Group) {
	public.GET("/version", func(c echo.Context) error { return c.JSON(http.StatusOK, version.Get()) })
	public.POST("/login", g.login)
	authed.POST("/logout", g.logout)
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
		return errs.Invalid("username", "is required")
	}
	if req.Password == "" {
		return errs.Invalid("password", "is required")
	}
	ctx := c.Request().Context()
	u, err := g.st.userByName(ctx, req.Username)
	if err != nil && !errors.Is(err, errNoRow) {
		return fmt.Errorf("look up user %s: %w", req.Username, err)
	}
	if err == nil {
		err = bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(req.Password))
	}
	if err != nil {
		g.log.Warn("login refused", "username", req.Username, "remote", c.RealIP())
		return errs.ErrUnauthorized.Withf("wrong username or password")
	}
	token := randomToken(32)
	expires := time.Now().Add(g.cfg.Auth.SessionTTL)
	if err := g.st.createSession(ctx, userSession{TokenHash: hashToken(token), Username: u.Username, ExpiresAt: expires}); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https"})
	return c.JSON(http.StatusOK, loginResponse{Username: u.Username, Token: token, ExpiresAt: expires})
}

func (g *Gateway) logout(c echo.Context) error {
	if token := sessionToken(c); token != "" {
		if err := g.st.deleteSession(c.Request().Context(), hashToken(token)); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	return c.NoContent(http.StatusNoContent)
}
