package execute

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/httpx"
)

// RegisterV3 mounts execute's declared v3 endpoints (api_gen.go) on g, a
// v3 group behind the gateway's authentication; mgr resolves each
// request's scope once, here.
func RegisterV3(g *echo.Group, svc Service, mgr manage.Service) {
	httpx.MountV3(g, V3Endpoints(svc), door(mgr))
}

// RegisterWeb mounts execute's declared web API endpoints on g, the web
// group behind the gateway's session and CSRF check.
func RegisterWeb(g *echo.Group, svc Service, mgr manage.Service) {
	httpx.MountWeb(g, WebEndpoints(svc), door(mgr))
}

func door(mgr manage.Service) httpx.Door {
	return httpx.Door{
		ResolveScope: func(ctx context.Context, s *api.ScopeRef) error { return manage.ResolveScopeRef(ctx, mgr, s) },
		MaxBody:      maxV3Body,
	}
}

// maxV3Body bounds a request body: 50,000 targets or 5 MB of base64
// content fit comfortably.
const maxV3Body = 16 << 20
