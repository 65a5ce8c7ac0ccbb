package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bkjob/bkjob/platform/cache"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

type fixture struct {
	db  *gorm.DB
	srv *httpx.Server
	cfg *config.Config
	out *bytes.Buffer
	gw  *Gateway
	// bcrypts counts password and secret checks that reached bcrypt.
	bcrypts atomic.Int64
}

// fixtureOptions configure newFixtureWith.
type fixtureOptions struct {
	env    []string
	cache  cache.Cache // default: a memory cache of its own
	mounts []Mount     // besides the /api/v3/whoami probe
	log    io.Writer   // where the gateway and server log; default: nowhere
}

func newFixture(t *testing.T, env ...string) *fixture {
	return newFixtureWith(t, fixtureOptions{env: env})
}

func newFixtureWith(t *testing.T, o fixtureOptions) *fixture {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Load(config.Sources{Env: o.env, Flags: map[string]any{"data_dir": t.TempDir()}})
	require.NoError(t, err)
	logOut := o.log
	if logOut == nil {
		logOut = io.Discard
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
	gdb, err := db.Open(ctx, cfg.DB, cfg.DataDir, log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close(gdb) })
	require.NoError(t, db.Migrate(ctx, gdb, "sqlite"))
	srv, err := httpx.NewServer(httpx.Options{Addr: "127.0.0.1:0"}, log)
	require.NoError(t, err)
	out := &bytes.Buffer{}
	probe := func(web, v3 *echo.Group) {
		v3.POST("/whoami", func(c echo.Context) error {
			a, _ := httpx.ActorOf(c)
			return httpx.V3OK(c, a)
		})
	}
	c := o.cache
	if c == nil {
		m := cache.NewMemory(cache.MemoryOptions{MaxEntries: 1000})
		t.Cleanup(func() { _ = m.Close() })
		c = m
	}
	f := &fixture{db: gdb, srv: srv, cfg: cfg, out: out}
	g := New(Deps{Config: cfg, DB: gdb, Server: srv, Mounts: append([]Mount{probe}, o.mounts...), Cache: c, Log: log, Out: out})
	g.hashCost = bcrypt.MinCost // the checks are what is under test, not bcrypt's cost
	g.compare = func(hash, password []byte) error {
		f.bcrypts.Add(1)
		return bcrypt.CompareHashAndPassword(hash, password)
	}
	require.NoError(t, g.Start(ctx))
	t.Cleanup(func() { _ = g.Stop(ctx) })
	f.gw = g
	return f
}

func (f *fixture) call(method, path string, header http.Header, body any) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	f.srv.Echo.ServeHTTP(rec, req)
	return rec
}

func TestAPIAppAuthentication(t *testing.T) {
	f := newFixture(t, "BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=ci-secret")
	auth := func(v string) http.Header { return http.Header{AuthHeader: {v}} }

	tests := []struct {
		name       string
		header     http.Header
		wantStatus int
		wantBody   string
	}{
		{"no header", nil, 401, "X-Bkapi-Authorization is required"},
		{"not json", auth("ci:ci-secret"), 401, "must be JSON"},
		{"wrong secret", auth(`{"bk_app_code":"ci","bk_app_secret":"nope"}`), 401, "invalid app code"},
		{"unknown app", auth(`{"bk_app_code":"other","bk_app_secret":"ci-secret"}`), 401, "invalid app code"},
		{"ok with user", auth(`{"bk_app_code":"ci","bk_app_secret":"ci-secret","bk_username":"alice"}`), 200, `"username":"alice","app_code":"ci","all_scopes":true`},
		{"ok cached", auth(`{"bk_app_code":"ci","bk_app_secret":"ci-secret"}`), 200, `"username":"ci"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.call(http.MethodPost, "/api/v3/whoami", tt.header, map[string]any{})
			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			require.Contains(t, rec.Body.String(), tt.wantBody)
			require.Contains(t, rec.Body.String(), `"job_request_id"`)
		})
	}
}

func TestGeneratedAdminPasswordAndSessions(t *testing.T) {
	f := newFixture(t)
	raw, err := os.ReadFile(filepath.Join(f.cfg.DataDir, InitialPasswordFile))
	require.NoError(t, err)
	pw := strings.TrimSpace(string(raw))
	require.Len(t, pw, 24)
	require.Contains(t, f.out.String(), pw)

	require.Equal(t, 401, f.call(http.MethodGet, "/api/web/me", nil, nil).Code)
	require.Equal(t, 400, f.call(http.MethodPost, "/api/web/login", nil, map[string]string{"username": "admin"}).Code)
	require.Equal(t, 401, f.call(http.MethodPost, "/api/web/login", nil, map[string]string{"username": "admin", "password": "x"}).Code)

	rec := f.call(http.MethodPost, "/api/web/login", nil, map[string]string{"username": "admin", "password": pw})
	require.Equal(t, 200, rec.Code, rec.Body.String())
	cookie := rec.Result().Cookies()[0]
	require.Equal(t, SessionCookie, cookie.Name)
	require.True(t, cookie.HttpOnly)

	withCookie := http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}}
	rec = f.call(http.MethodGet, "/api/web/me", withCookie, nil)
	require.Equal(t, 200, rec.Code)
	require.Contains(t, rec.Body.String(), `"username":"admin"`)

	var login loginResponse
	require.NoError(t, json.Unmarshal(f.call(http.MethodPost, "/api/web/login", nil, map[string]string{"username": "admin", "password": pw}).Body.Bytes(), &login))
	require.NotEmpty(t, login.CSRFToken)

	// A state change with the cookie alone is what another site can make a
	// browser send: refused, and the session stays.
	rec = f.call(http.MethodPost, "/api/web/logout", withCookie, nil)
	require.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), `"code":1240004`)
	wrong := http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}}
	wrong.Set(CSRFHeader, login.CSRFToken)
	require.Equal(t, 403, f.call(http.MethodPost, "/api/web/logout", wrong, nil).Code, "another session's token")
	require.Equal(t, 200, f.call(http.MethodGet, "/api/web/me", withCookie, nil).Code, "still logged in")

	withToken := http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}}
	withToken.Set(CSRFHeader, csrfToken(cookie.Value))
	require.Equal(t, 204, f.call(http.MethodPost, "/api/web/logout", withToken, nil).Code)
	require.Equal(t, 401, f.call(http.MethodGet, "/api/web/me", withCookie, nil).Code, "session gone after logout")
}

func TestStoreFailureIsNotBadCredentials(t *testing.T) {
	f := newFixture(t, "BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=ci-secret", "BKJOB_ADMIN_PASSWORD=pw")
	require.NoError(t, db.Close(f.db))

	rec := f.call(http.MethodPost, "/api/v3/whoami", http.Header{AuthHeader: {`{"bk_app_code":"ci","bk_app_secret":"ci-secret"}`}}, map[string]any{})
	require.Equal(t, 200, rec.Code, "not a 401: the credentials may be fine")
	require.Contains(t, rec.Body.String(), "cannot check credentials now")

	rec = f.call(http.MethodPost, "/api/web/login", nil, map[string]string{"username": "admin", "password": "pw"})
	require.Equal(t, 500, rec.Code, rec.Body.String())
	require.NotContains(t, rec.Body.String(), "wrong username or password")
}
