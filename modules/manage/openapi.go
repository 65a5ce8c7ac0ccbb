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
	for _, part := range byDoor(V3Endpoints(svc), svc) {
		httpx.MountV3(g, part.eps, part.door)
	}
}

// RegisterWeb mounts manage's declared web API endpoints on g, the web
// group behind the gateway's session and CSRF check (the agents list is
// /agents, revoking one /agents/revoke, for administrators).
func RegisterWeb(g *echo.Group, svc Full) {
	for _, part := range byDoor(WebEndpoints(svc), svc) {
		httpx.MountWeb(g, part.eps, part.door)
	}
}

// doorPart is endpoints sharing a door.
type doorPart struct {
	eps  []httpx.Endpoint
	door httpx.Door
}

// byDoor parts eps by their body limit: a jobbody endpoint carries a
// script of up to 5 MiB in base64; the server's route limit,
// http.max_job_body_bytes, bounds it first, as on execute's.
func byDoor(eps []httpx.Endpoint, svc Service) []doorPart {
	plain, job := doorPart{door: door(svc)}, doorPart{door: door(svc)}
	job.door.MaxBody = maxJobBody
	for _, ep := range eps {
		if ep.JobBody {
			job.eps = append(job.eps, ep)
		} else {
			plain.eps = append(plain.eps, ep)
		}
	}
	return []doorPart{plain, job}
}

// maxJobBody is the backstop of the jobbody endpoints (see byDoor).
const maxJobBody = 1 << 30

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
