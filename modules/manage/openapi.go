package manage

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// RegisterV3 mounts manage's OpenAPI v3 endpoints on g (the gateway's
// /api/v3 group, behind its X-Bkapi-Authorization check), in bk-job's
// envelope, with or without a trailing slash:
//
//   - create_credential, update_credential (POST only: their bodies carry
//     secrets, which must never ride in a URL) and get_credential_detail
//     (GET or POST), as bk-job names them;
//   - create_agentless_host (POST) and list_agentless_hosts (GET or POST),
//     bkjob extensions for hosts reached over SSH (docs/agentless.md).
//   - list_agents (GET or POST) and revoke_agent (POST), bkjob extensions
//     for administrators (Actor.AllScopes) over the agents of a business.
func RegisterV3(g *echo.Group, svc Full) {
	h := v3{svc: svc}
	post := map[string]echo.HandlerFunc{
		"create_credential": endpoint(h, func(r *CreateCredentialRequest) (*ScopeRef, *string) { return &r.ScopeRef, &r.Operator },
			svc.CreateCredential),
		"update_credential": endpoint(h, func(r *UpdateCredentialRequest) (*ScopeRef, *string) { return &r.ScopeRef, &r.Operator },
			svc.UpdateCredential),
		"create_agentless_host": endpoint(h, func(r *CreateAgentlessHostRequest) (*ScopeRef, *string) { return &r.ScopeRef, &r.Operator },
			svc.CreateAgentlessHost),
		"revoke_agent": adminV3(endpoint(h, func(r *RevokeAgentRequest) (*ScopeRef, *string) { return &r.ScopeRef, &r.Operator },
			svc.RevokeAgent)),
		"register_gse_hosts": registerGSEHostsV3(h, svc),
	}
	getOrPost := map[string]echo.HandlerFunc{
		"get_credential_detail": endpoint(h, func(r *GetCredentialRequest) (*ScopeRef, *string) { return &r.ScopeRef, nil },
			svc.GetCredential),
		"list_agentless_hosts": endpoint(h, func(r *ListAgentlessHostsRequest) (*ScopeRef, *string) { return &r.ScopeRef, nil },
			svc.ListAgentlessHosts),
		"list_agents": adminV3(endpoint(h, func(r *ListAgentsRequest) (*ScopeRef, *string) { return &r.ScopeRef, nil },
			svc.ListAgents)),
	}
	for name, fn := range post {
		for _, p := range []string{"/" + name, "/" + name + "/"} {
			g.POST(p, fn)
			g.GET(p, postOnly)
		}
	}
	for name, fn := range getOrPost {
		for _, p := range []string{"/" + name, "/" + name + "/"} {
			g.GET(p, fn)
			g.POST(p, fn)
		}
	}
}

// postOnly answers a GET on an endpoint whose parameters are secrets.
func postOnly(c echo.Context) error {
	return httpx.V3Error(c, errs.ErrUnsupportedAPI.Withf(
		"use POST with a JSON body: this endpoint takes secrets, which must not appear in a URL"))
}

// maxV3Body bounds a request body; a credential with a private key is a
// few kilobytes.
const maxV3Body = 1 << 20

type v3 struct{ svc Full }

// endpoint binds the request, sets its operator from the authenticated
// actor and its scope from manage, calls the service and writes the
// envelope.
func endpoint[Req, Resp any](h v3, parts func(*Req) (*ScopeRef, *string), call func(context.Context, Req) (Resp, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req Req
		if err := httpx.BindV3(c, &req, maxV3Body); err != nil {
			return httpx.V3Error(c, err)
		}
		actor, ok := httpx.ActorOf(c)
		if !ok || actor.Username == "" && actor.AppCode == "" {
			return httpx.V3Error(c, errs.ErrUnauthorized.Withf("no authenticated caller: send X-Bkapi-Authorization"))
		}
		scope, operator := parts(&req)
		if operator != nil {
			*operator = actor.Username
			if *operator == "" {
				*operator = actor.AppCode
			}
		}
		ctx := c.Request().Context()
		if err := h.resolveScope(ctx, scope); err != nil {
			return httpx.V3Error(c, err)
		}
		resp, err := call(ctx, req)
		if err != nil {
			return httpx.V3Error(c, err)
		}
		return httpx.V3OK(c, resp)
	}
}

// resolveScope checks the request's scope against manage and writes the
// canonical scope back.
func (h v3) resolveScope(ctx context.Context, s *ScopeRef) error {
	sc, err := ResolveScopeParams(ctx, h.svc, s.ScopeType, s.ScopeID, s.BizID)
	if err != nil {
		return err
	}
	*s = ScopeRef{ScopeType: sc.Type, ScopeID: sc.ID, BizID: sc.BizID}
	return nil
}
