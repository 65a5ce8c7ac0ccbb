package httpx

import (
	"context"
	"net/http"
	"reflect"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/errs"
)

// Endpoint is one declared method served on a surface (apigen writes a
// module's lists in its V3Endpoints and WebEndpoints).
type Endpoint struct {
	api.Method
	Serve func(c echo.Context, d Door) error
}

// Door is what every request of a module passes where it enters.
type Door struct {
	// ResolveScope checks the request's scope (and the caller's permission
	// on it) and writes the canonical scope back, marked resolved. Once per
	// request, here; the roles behind trust it.
	ResolveScope func(ctx context.Context, s *api.ScopeRef) error
	// MaxBody bounds the request body.
	MaxBody int64
}

// ErrNotAdmin refuses an administrators-only endpoint.
var ErrNotAdmin = ErrPermissionDenied.Withf("this needs an administrator or an app granted every scope")

// scopedRequest is a pointer to a request that names a scope: a request
// type that names none does not compile as a handler, so no endpoint can
// skip the scope and permission check by accident.
type scopedRequest[Req any] interface {
	*Req
	api.Scoped
}

// enter binds a request of type Req, records the authenticated actor in it
// and resolves its scope: what every surface does before the call.
func enter[Req any, PReq scopedRequest[Req]](c echo.Context, d Door, surface api.Surface) (Req, error) {
	var req Req
	if err := BindV3(c, &req, d.MaxBody); err != nil {
		return req, err
	}
	actor, ok := ActorOf(c)
	if !ok || actor.Username == "" && actor.AppCode == "" {
		return req, errs.ErrUnauthorized.Withf("no authenticated caller")
	}
	if t, ok := any(&req).(api.ActorTaker); ok {
		t.TakeActor(actor.Username, actor.AppCode, surface)
	}
	// A platform-wide request (api.Platform) names no scope; serve lets it
	// in only for administrators or an answer cut per scope (keepScopes).
	if s := PReq(&req).Scope(); s != nil {
		if err := d.ResolveScope(c.Request().Context(), s); err != nil {
			return req, err
		}
	}
	return req, nil
}

// V3Handler serves call on v3: the request enters, the answer or the error
// goes out in bk-job's envelope.
func V3Handler[Req any, PReq scopedRequest[Req], Resp any](call func(context.Context, Req) (Resp, error)) func(echo.Context, Door) error {
	return func(c echo.Context, d Door) error {
		req, err := enter[Req, PReq](c, d, api.SurfaceV3)
		if err != nil {
			return V3Error(c, err)
		}
		resp, err := call(c.Request().Context(), req)
		if err != nil {
			return V3Error(c, err)
		}
		keepScopes(c.Request().Context(), &resp)
		return V3OK(c, resp)
	}
}

// WebHandler serves call on the web API: the answer is plain JSON, an
// error goes to the error handler (its real HTTP status and ErrorBody).
func WebHandler[Req any, PReq scopedRequest[Req], Resp any](call func(context.Context, Req) (Resp, error)) func(echo.Context, Door) error {
	return func(c echo.Context, d Door) error {
		req, err := enter[Req, PReq](c, d, api.SurfaceWeb)
		if err != nil {
			return err
		}
		resp, err := call(c.Request().Context(), req)
		if err != nil {
			return err
		}
		keepScopes(c.Request().Context(), &resp)
		return c.JSON(http.StatusOK, localized(c, resp))
	}
}

// MountV3 serves eps on g (a v3 group behind the caller's authentication),
// each at /<name> and /<name>/: POST always, GET unless the endpoint is
// POST-only (then GET gets 1239003).
func MountV3(g *echo.Group, eps []Endpoint, d Door) {
	for _, ep := range eps {
		fn := serve(ep, d, func(c echo.Context, err error) error { return V3Error(c, err) })
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

// MountWeb serves eps on g (the web API group, behind the session and CSRF
// check) at /<web name>, by POST only: a GET is 405 (code 1239003). POST
// alone keeps every declared web method behind the CSRF check, whatever it
// does, and the UI's client only POSTs.
func MountWeb(g *echo.Group, eps []Endpoint, d Door) {
	for _, ep := range eps {
		g.POST("/"+ep.Web, serve(ep, d, func(_ echo.Context, err error) error { return err }))
		name := ep.Web
		g.GET("/"+ep.Web, func(echo.Context) error {
			return echo.NewHTTPError(http.StatusMethodNotAllowed, name+" accepts POST only")
		})
	}
}

// keepScopes cuts an answer listing scopes (api.ScopeLister) to those the
// caller may use, with CheckScope: the one permission check.
func keepScopes(ctx context.Context, resp any) {
	if l, ok := resp.(api.ScopeLister); ok {
		l.KeepScopes(func(scopeType, scopeID string) bool {
			return CheckScope(ctx, ActionAccessBusiness, scopeType, scopeID) == nil
		})
	}
}

// adminOnly: ep is declared admin, or it names no scope (api.Platform),
// reads no shared data (api.Shared) and its answer is not cut per scope
// (api.ScopeLister): such a request has no scope for the door to check, so
// only an administrator may make it.
func adminOnly(ep Endpoint) bool {
	if ep.Admin {
		return true
	}
	if ep.Request == nil {
		return false
	}
	req := reflect.PointerTo(ep.Request)
	if !req.Implements(reflect.TypeFor[api.PlatformWide]()) || req.Implements(reflect.TypeFor[api.SharedData]()) {
		return false
	}
	return ep.Response == nil || !reflect.PointerTo(ep.Response).Implements(reflect.TypeFor[api.ScopeLister]())
}

// serve is ep's handler, administrators only when ep says so (adminOnly).
func serve(ep Endpoint, d Door, refuse func(echo.Context, error) error) echo.HandlerFunc {
	admin := adminOnly(ep)
	return func(c echo.Context) error {
		if admin {
			if a, ok := ActorOf(c); !ok || !a.AllScopes {
				return refuse(c, ErrNotAdmin)
			}
		}
		return ep.Serve(c, d)
	}
}
