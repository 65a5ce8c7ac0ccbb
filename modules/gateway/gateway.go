package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"time"

	"github.com/bkjob/bkjob/platform/cache"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// Mount adds a module's routes. web is /api/web behind a session; v3 is
// /api/v3 behind app authentication (OpenAPI v3 handlers write bk-job's
// envelope). bk-job's other paths of a v3 endpoint (/api/v3/system/<name>,
// the ESB's /v2/jobv3/<name>/, the backend's /api/job/v3/<service>/<name>)
// are rewritten onto /api/v3/<name> (paths.go), so a module mounts once.
type Mount func(web, v3 *echo.Group)

// Deps is what the gateway needs.
type Deps struct {
	Config *config.Config
	DB     *gorm.DB
	Server *httpx.Server
	UI     fs.FS // nil: the stub page
	Mounts []Mount
	// Cache holds the login and API-secret limits (Redis: shared by every
	// gateway using it).
	Cache cache.Cache
	Log   *slog.Logger
	Out   io.Writer // where the generated admin password is printed once
	// Process feeds the service status page (nil: roles unknown).
	Process *Process
}

// Gateway is the gateway role.
type Gateway struct {
	cfg      *config.Config
	st       store
	srv      *httpx.Server
	ui       fs.FS
	mounts   []Mount
	log      *slog.Logger
	out      io.Writer
	process  *Process
	verified *verifiedApps
	// jwtApps remembers the apps named by verified X-Bkapi-JWTs (their
	// scope grant), looked up without a secret.
	jwtApps *verifiedApps
	// jwt verifies X-Bkapi-JWT on bk-job's backend paths; nil when
	// api.gateway_jwt_public_key_file is not set.
	jwt    *gatewayJWT
	limits *limiter
	// compare checks a password or secret against its bcrypt hash;
	// hashCost is the bcrypt cost of the hashes bootstrap writes.
	compare  func(hash, password []byte) error
	hashCost int
	// decoy is a hash of a random secret, compared against when a user or
	// app does not exist, so the time an answer takes does not tell which
	// names exist.
	decoy []byte
	stop  context.CancelFunc
	done  chan struct{}
}

// New builds the gateway.
func New(d Deps) *Gateway {
	return &Gateway{cfg: d.Config, st: store{db: d.DB}, srv: d.Server, ui: d.UI, mounts: d.Mounts,
		log: d.Log, out: d.Out, process: d.Process, verified: newVerifiedApps(d.Config.Auth.SecretCacheTTL), jwtApps: newVerifiedApps(d.Config.Auth.SecretCacheTTL),
		limits:  &limiter{c: d.Cache, cfg: d.Config.Auth, log: d.Log, now: time.Now},
		compare: bcrypt.CompareHashAndPassword, hashCost: bcrypt.DefaultCost}
}

// Start bootstraps the admin user and API app, then mounts every route.
func (g *Gateway) Start(ctx context.Context) error {
	if g.limits.c == nil {
		return errors.New("start gateway: no cache for the login limits")
	}
	decoy, err := bcrypt.GenerateFromPassword([]byte(randomToken(32)), g.hashCost)
	if err != nil {
		return fmt.Errorf("start gateway: decoy hash: %w", err)
	}
	g.decoy = decoy
	if g.jwt, err = loadGatewayJWT(g.cfg.API); err != nil {
		return err
	}
	if err := g.bootstrapAdmin(ctx); err != nil {
		return err
	}
	if err := g.bootstrapApp(ctx); err != nil {
		return err
	}
	e := g.srv.Echo
	e.Pre(g.aliasV3Paths) // bk-job's other doors onto /api/v3/<name>
	public := e.Group("/api/web")
	authed := e.Group("/api/web", g.sessionAuth)
	g.mountWeb(public, authed)
	v3 := e.Group("/api/v3", g.apiAuth)
	for _, m := range g.mounts {
		m(authed, v3)
	}
	v3.RouteNotFound("/*", v3NotFound) // bk-job's 1241011 or 1239003, not echo's 404
	g.srv.MountUI(g.ui)

	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	g.stop, g.done = cancel, make(chan struct{})
	go g.purgeLoop(bg)
	return nil
}

// Stop ends background work.
func (g *Gateway) Stop(ctx context.Context) error {
	if g.stop == nil {
		return nil
	}
	g.stop()
	select {
	case <-g.done:
	case <-ctx.Done():
	}
	return nil
}

// purgeLoop deletes expired sessions hourly.
func (g *Gateway) purgeLoop(ctx context.Context) {
	defer close(g.done)
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := g.st.purgeSessions(ctx); err != nil {
				g.log.Warn("purge sessions", "err", err)
			}
		}
	}
}
