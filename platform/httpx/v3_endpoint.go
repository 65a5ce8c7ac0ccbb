package httpx

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/errs"
)

// V3Endpoint is one declared method served on v3 (apigen writes the list
// of a module's in its V3Endpoints).
type V3Endpoint struct {
	api.Method
	Serve func(c echo.Context, d V3Door) error
}

// V3Door is what every v3 request of a module passes where it enters.
type V3Door struct {
	// ResolveScope checks the request's scope (and the caller's permission
	// on it) and writes the canonical scope back, marked resolved. Once per
	// request, here; the roles behind trust it.
	ResolveScope func(ctx context.Context, s *api.ScopeRef) error
	// MaxBody bounds the request body.
	MaxBody int64
}

// ErrNotAdmin refuses an administrators-only endpoint.
var ErrNotAdmin = ErrPermissionDenied.Withf("this needs an administrator or an app granted every scope")

// V3Handler binds a request of call's type, records the authenticated
// actor in it, resolves its scope, calls and writes bk-job's envelope. A
// request type that names no scope does not compile (PReq), so no v3
// endpoint can skip the scope and permission check by accident.
func V3Handler[Req any, PReq interface {
	*Req
	api.Scoped
}, Resp any](call func(context.Context, Req) (Resp, error)) func(echo.Context, V3Door) error {
	return func(c echo.Context, d V3Door) error {
		var req Req
		if err := BindV3(c, &req, d.MaxBody); err != nil {
			return V3Error(c, err)
		}
		actor, ok := ActorOf(c)
		if !ok || actor.Username == "" && actor.AppCode == "" {
			return V3Error(c, errs.ErrUnauthorized.Withf("no authenticated caller: send X-Bkapi-Authorization"))
		}
		if t, ok := any(&req).(api.ActorTaker); ok {
			t.TakeActor(actor.Username, actor.AppCode, api.DoorV3)
		}
		ctx := c.Request().Context()
		if err := d.ResolveScope(ctx, PReq(&req).Scope()); err != nil {
			return V3Error(c, err)
		}
		resp, err := call(ctx, req)
		if err != nil {
			return V3Error(c, err)
		}
		return V3OK(c, resp)
	}
}

// MountV3 serves eps on g (a v3 group behind the caller's authentication),
// each at /<name> and /<name>/: POST always, GET unless the endpoint is
// POST-only (then GET gets 1239003).
func MountV3(g *echo.Group, eps []V3Endpoint, d V3Door) {
	for _, ep := range eps {
		serve := ep.Serve
		fn := func(c echo.Context) error { return serve(c, d) }
		if ep.Admin {
			fn = adminOnly(fn)
		}
		get := fn
		if ep.PostOnly {
			get = V3PostOnly
		}
		for _, p := range []string{"/" + ep.V3, "/" + ep.V3 + "/"} {
			g.GET(p, get)
			g.POST(p, fn)
		}
	}
}

// adminOnly lets only administrators (Actor.AllScopes) through.
func adminOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a, ok := ActorOf(c); !ok || !a.AllScopes {
			return V3Error(c, ErrNotAdmin)
		}
		return next(c)
	}
}
