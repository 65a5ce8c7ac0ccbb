package manageimpl

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/httpx"
)

func TestAgents(t *testing.T) { eachBackend(t, testAgents) }

func testAgents(t *testing.T, env credEnv) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	host := func(biz int64, ip, agent string) hub.HostRecord {
		h := hub.HostRecord{BizID: biz, IP: ip, Alive: true, LastSeen: &now, CreatedAt: now, UpdatedAt: now}
		if agent != "" {
			h.AgentID = &agent
		}
		require.NoError(t, env.db.Create(&h).Error)
		return h
	}
	enrolled := host(1, "10.5.0.1", "agent-one")
	require.NoError(t, env.db.Create(&hub.CredentialRecord{AgentID: "agent-one", BizID: 1, HostID: enrolled.ID,
		SecretSHA256: strings.Repeat("0", 64), EnrolledAt: now, ConfirmedAt: &now}).Error)
	legacy := host(1, "10.5.0.2", "agent-legacy")
	other := host(2, "10.5.0.3", "agent-other")
	require.NoError(t, env.db.Create(&hub.CredentialRecord{AgentID: "agent-other", BizID: 2, HostID: other.ID,
		SecretSHA256: strings.Repeat("1", 64), EnrolledAt: now}).Error)
	host(1, "10.5.0.4", "") // no agent
	scope := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}

	page, err := env.impl.ListAgents(ctx, manage.ListAgentsRequest{ScopeRef: scope})
	require.NoError(t, err)
	require.Equal(t, 2, page.Total)
	require.Equal(t, []manage.Agent{
		{AgentID: "agent-one", HostID: enrolled.ID, BizID: 1, IP: "10.5.0.1", EnrolledAt: now.UnixMilli(), ConfirmedAt: now.UnixMilli(), LastSeen: now.UnixMilli(), Alive: true},
		{AgentID: "agent-legacy", HostID: legacy.ID, BizID: 1, IP: "10.5.0.2", LastSeen: now.UnixMilli(), Alive: true},
	}, page.Data)

	env.each(t, func(t *testing.T, svc manage.Full) {
		_, err := svc.RevokeAgent(ctx, manage.RevokeAgentRequest{ScopeRef: scope, AgentID: "agent-other", Operator: "admin"})
		require.ErrorIs(t, err, manage.ErrAgentNotFound, "another business's agent is not found")
		_, err = svc.ListAgents(ctx, manage.ListAgentsRequest{ScopeRef: scope, Length: 5000})
		require.Error(t, err)
	})
	for _, id := range []string{"agent-one", "agent-legacy"} {
		got, err := manage.NewClient(env.bus).RevokeAgent(ctx, manage.RevokeAgentRequest{ScopeRef: scope, AgentID: id, Operator: "admin"})
		require.NoError(t, err)
		require.True(t, got.Revoked, id)
		require.Equal(t, "admin", got.RevokedBy)
		require.False(t, got.Alive)
		_, err = hub.NewRegistry(env.db).Enrol(ctx, hub.Registration{AgentID: id, BizID: 1, IP: "10.5.0.9"}, func(int64) bool { return false })
		require.ErrorIs(t, err, hub.ErrRevoked, "a revoked id never enrols again")
	}
	page, err = env.impl.ListAgents(ctx, manage.ListAgentsRequest{ScopeRef: scope})
	require.NoError(t, err)
	require.Equal(t, 2, page.Total)
	for _, a := range page.Data {
		require.True(t, a.Revoked, a.AgentID)
	}
}

// TestAgentsAdminOnly: list_agents and revoke_agent refuse callers without
// every scope, on the v3 and the web API.
func TestAgentsAdminOnly(t *testing.T) {
	env := newCredEnv(t, openSQLite(t))
	for _, admin := range []bool{false, true} {
		e := echo.New()
		e.HTTPErrorHandler = httpx.ErrorHandler(slog.New(slog.DiscardHandler))
		act := func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				httpx.SetActor(c, httpx.Actor{Username: "bob", AllScopes: admin})
				return next(c)
			}
		}
		manage.RegisterV3(e.Group("/api/v3", act), env.impl)
		manage.RegisterWeb(e.Group("/api/web", act), env.impl)
		srv := httptest.NewServer(e)
		t.Cleanup(srv.Close)
		v3, raw := call(t, srv, http.MethodPost, "list_agents", `{"bk_scope_type":"biz","bk_scope_id":"1"}`)
		require.Equal(t, admin, v3.Result, raw)
		v3, raw = call(t, srv, http.MethodPost, "revoke_agent", `{"bk_scope_type":"biz","bk_scope_id":"1","bk_agent_id":"x"}`)
		require.False(t, v3.Result, raw)
		if !admin {
			require.Contains(t, raw, "administrator")
			require.Equal(t, 1238001, v3.Code, "bk-job's no-permission code")
		}
		resp, err := http.Post(srv.URL+"/api/web/agents", "application/json", strings.NewReader(`{"bk_scope_type":"biz","bk_scope_id":"1"}`))
		require.NoError(t, err)
		_ = resp.Body.Close()
		want := http.StatusForbidden
		if admin {
			want = http.StatusOK
		}
		require.Equal(t, want, resp.StatusCode)
	}
}
