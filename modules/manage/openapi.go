package manage

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/httpx"
)

// RegisterV3 mounts manage's declared v3 endpoints (api_gen.go) on g, a v3
// group behind the gateway's authentication: bk-job's credential endpoints
// (create and update by POST only: their bodies carry secrets, which must
// never ride in a URL) and bkjob's extensions for agentless hosts, agents
// and GSE hosts (docs/api.md). Each request's scope is resolved once, here.
func RegisterV3(g *echo.Group, svc Full) {
	httpx.MountV3(g, V3Endpoints(svc), door(svc))
}

// RegisterWeb mounts manage's declared web API endpoints on g, the web
// group behind the gateway's session and CSRF check (the agents list is
// /agents, revoking one /agents/revoke, for administrators).
func RegisterWeb(g *echo.Group, svc Full) {
	httpx.MountWeb(g, WebEndpoints(svc), door(svc))
}

func door(svc Service) httpx.Door {
	return httpx.Door{ResolveScope: scopeResolver(svc), MaxBody: maxV3Body}
}

// scopeResolver resolves a request's scope through svc.
func scopeResolver(svc Service) func(context.Context, *api.ScopeRef) error {
	return func(ctx context.Context, s *api.ScopeRef) error { return ResolveScopeRef(ctx, svc, s) }
}

// maxV3Body bounds a request body; a credential with a private key is a
// few kilobytes, 1000 GSE hosts some tens.
const maxV3Body = 1 << 20
