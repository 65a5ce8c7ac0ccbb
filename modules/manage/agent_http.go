package manage

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/httpx"
)

// isAdmin reports whether the request's actor may manage agents.
func isAdmin(c echo.Context) bool {
	a, ok := httpx.ActorOf(c)
	return ok && a.AllScopes
}

// RegisterWeb mounts manage's web API routes on g (the gateway's
// authenticated /api/web group), for administrators only:
//
//	GET  /agents?bk_scope_type=biz&bk_scope_id=1[&start=&length=]  list_agents
//	POST /agents/revoke {bk_scope_type, bk_scope_id, bk_agent_id}    revoke_agent
func RegisterWeb(g *echo.Group, svc Full) {
	resolve := scopeResolver(svc)
	g.GET("/agents", func(c echo.Context) error {
		var req ListAgentsRequest
		if err := httpx.BindV3(c, &req, maxV3Body); err != nil {
			return err
		}
		if err := webAdmin(c, resolve, &req.ScopeRef); err != nil {
			return err
		}
		page, err := svc.ListAgents(c.Request().Context(), req)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, page)
	})
	g.POST("/agents/revoke", func(c echo.Context) error {
		var req RevokeAgentRequest
		if err := httpx.BindV3(c, &req, maxV3Body); err != nil {
			return err
		}
		if err := webAdmin(c, resolve, &req.ScopeRef); err != nil {
			return err
		}
		a, _ := httpx.ActorOf(c)
		req.TakeActor(a.Username, a.AppCode, api.DoorWeb)
		agent, err := svc.RevokeAgent(c.Request().Context(), req)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, agent)
	})
}

// webAdmin refuses non-administrators and resolves the request's scope.
func webAdmin(c echo.Context, resolve func(context.Context, *api.ScopeRef) error, s *ScopeRef) error {
	if !isAdmin(c) {
		return httpx.ErrNotAdmin
	}
	return resolve(c.Request().Context(), s)
}
