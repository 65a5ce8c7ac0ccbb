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
		MaxBody:      maxBody,
	}
}

// maxBody is only a backstop: the server's route limit bounds each body
// first (http.max_job_body_bytes on the jobbody methods, http.max_body_bytes
// on the others), so raising that setting is all an operator needs.
const maxBody = 1 << 30
