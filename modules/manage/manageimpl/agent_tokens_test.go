package manageimpl

import (
	"context"
	"encoding/json"
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
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

var (
	tokenBiz1 = manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}
	tokenBiz2 = manage.ScopeRef{ScopeType: "biz", ScopeID: "2", BizID: 2}
)

func TestAgentTokens(t *testing.T) { eachBackend(t, testAgentTokens) }

func testAgentTokens(t *testing.T, env credEnv) {
	ctx := context.Background()
	reg := hub.NewRegistry(env.db)
	matches := func(secret string, at time.Time) (int64, bool) {
		rec, err := reg.MatchEnrolToken(ctx, secret, at)
		return rec.BizID, err == nil
	}
	env.each(t, func(t *testing.T, svc manage.Full) {
		created, err := svc.CreateAgentToken(ctx, manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Operator: "alice",
			Name: "  rack 7  ", Description: "PXE installs"})
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(created.Token, hub.EnrolTokenPrefix), created.Token)
		require.Len(t, created.Token, len(hub.EnrolTokenPrefix)+64)
		require.Equal(t, "rack 7", created.Name)
		require.Equal(t, "alice", created.Creator)
		require.Equal(t, manage.AgentTokenActive, created.Status)
		require.Zero(t, created.ExpireTime)
		biz, ok := matches(created.Token, time.Now())
		require.True(t, ok, "a new token admits")
		require.EqualValues(t, 1, biz, "to its own business")

		// Stored as a hash only; never listed with its secret.
		var stored hub.EnrolTokenRecord
		require.NoError(t, env.db.Where("id = ?", created.ID).Take(&stored).Error)
		raw, err := json.Marshal(stored)
		require.NoError(t, err)
		require.NotContains(t, string(raw), strings.TrimPrefix(created.Token, hub.EnrolTokenPrefix))
		page, err := svc.ListAgentTokens(ctx, manage.ListAgentTokensRequest{ScopeRef: tokenBiz1})
		require.NoError(t, err)
		raw, err = json.Marshal(page)
		require.NoError(t, err)
		require.NotContains(t, string(raw), created.Token)
		require.Contains(t, string(raw), `"name":"rack 7"`)

		// Another business sees nothing of it and cannot touch it.
		page2, err := svc.ListAgentTokens(ctx, manage.ListAgentTokensRequest{ScopeRef: tokenBiz2})
		require.NoError(t, err)
		for _, tok := range page2.Data {
			require.NotEqual(t, created.ID, tok.ID)
		}
		_, err = svc.RotateAgentToken(ctx, manage.RotateAgentTokenRequest{ScopeRef: tokenBiz2, ID: created.ID})
		require.ErrorIs(t, err, manage.ErrAgentTokenNotFound)
		_, err = svc.DeleteAgentToken(ctx, manage.DeleteAgentTokenRequest{ScopeRef: tokenBiz2, ID: created.ID})
		require.ErrorIs(t, err, manage.ErrAgentTokenNotFound)
		_, ok = matches(created.Token, time.Now())
		require.True(t, ok, "another business's attempts changed nothing")

		// Rotation without grace: the old secret stops at once.
		rotated, err := svc.RotateAgentToken(ctx, manage.RotateAgentTokenRequest{ScopeRef: tokenBiz1, Operator: "bob", ID: created.ID})
		require.NoError(t, err)
		require.NotEqual(t, created.Token, rotated.Token)
		require.Equal(t, "bob", rotated.LastModifyUser)
		require.NotZero(t, rotated.RotateTime)
		require.Zero(t, rotated.PreviousValidUntil)
		_, ok = matches(created.Token, time.Now())
		require.False(t, ok, "the old secret is refused")
		_, ok = matches(rotated.Token, time.Now())
		require.True(t, ok, "the new secret admits")

		// With a grace period the old one admits until it ends.
		graced, err := svc.RotateAgentToken(ctx, manage.RotateAgentTokenRequest{ScopeRef: tokenBiz1, ID: created.ID, GraceSeconds: 600})
		require.NoError(t, err)
		require.NotZero(t, graced.PreviousValidUntil)
		_, ok = matches(rotated.Token, time.Now())
		require.True(t, ok, "within the grace period")
		_, ok = matches(rotated.Token, time.Now().Add(601*time.Second))
		require.False(t, ok, "after the grace period")
		_, ok = matches(graced.Token, time.Now().Add(601*time.Second))
		require.True(t, ok)
		// A second rotation ends the first one's grace: only the secret
		// just replaced is kept.
		again, err := svc.RotateAgentToken(ctx, manage.RotateAgentTokenRequest{ScopeRef: tokenBiz1, ID: created.ID, GraceSeconds: 60})
		require.NoError(t, err)
		_, ok = matches(rotated.Token, time.Now())
		require.False(t, ok)
		_, ok = matches(graced.Token, time.Now())
		require.True(t, ok)

		// Deleting revokes every secret of the token, grace or not.
		deleted, err := svc.DeleteAgentToken(ctx, manage.DeleteAgentTokenRequest{ScopeRef: tokenBiz1, Operator: "bob", ID: created.ID})
		require.NoError(t, err)
		require.Equal(t, created.ID, deleted.ID)
		for _, s := range []string{again.Token, graced.Token} {
			_, ok = matches(s, time.Now())
			require.False(t, ok, "a deleted token admits nobody")
		}
		_, err = svc.DeleteAgentToken(ctx, manage.DeleteAgentTokenRequest{ScopeRef: tokenBiz1, ID: created.ID})
		require.ErrorIs(t, err, manage.ErrAgentTokenNotFound)
	})
}

// TestAgentTokenExpiry: an expired token is listed as such and admits nobody.
func TestAgentTokenExpiry(t *testing.T) { eachBackend(t, testAgentTokenExpiry) }

func testAgentTokenExpiry(t *testing.T, env credEnv) {
	ctx := context.Background()
	expire := time.Now().Add(time.Hour)
	tok, err := env.impl.CreateAgentToken(ctx, manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Name: "short", ExpireTime: expire.UnixMilli()})
	require.NoError(t, err)
	require.Equal(t, expire.UnixMilli(), tok.ExpireTime)
	reg := hub.NewRegistry(env.db)
	_, err = reg.MatchEnrolToken(ctx, tok.Token, time.Now())
	require.NoError(t, err)
	_, err = reg.MatchEnrolToken(ctx, tok.Token, expire.Add(time.Second))
	require.Error(t, err, "refused after its expiry")

	past := time.Now().Add(-time.Minute)
	require.NoError(t, env.db.Model(&hub.EnrolTokenRecord{}).Where("id = ?", tok.ID).Update("expires_at", past).Error)
	_, err = reg.MatchEnrolToken(ctx, tok.Token, time.Now())
	require.Error(t, err)
	page, err := env.impl.ListAgentTokens(ctx, manage.ListAgentTokensRequest{ScopeRef: tokenBiz1})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	require.Equal(t, manage.AgentTokenExpired, page.Data[0].Status)
}

// TestAgentTokenBadInput: each bad request names its field and changes nothing.
func TestAgentTokenBadInput(t *testing.T) { eachBackend(t, testAgentTokenBadInput) }

func testAgentTokenBadInput(t *testing.T, env credEnv) {
	ctx := context.Background()
	good, err := env.impl.CreateAgentToken(ctx, manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Name: "good"})
	require.NoError(t, err)
	// Invalid UTF-8 only reaches the implementation in process: JSON (the
	// bus, the API) turns it into U+FFFD on the way.
	_, err = env.impl.CreateAgentToken(ctx, manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Name: "bad \xff"})
	require.Equal(t, "name", errs.From(err).Field)
	env.each(t, func(t *testing.T, svc manage.Full) {
		for _, c := range []struct {
			req   manage.CreateAgentTokenRequest
			field string
		}{
			{manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Name: "  "}, "name"},
			{manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Name: strings.Repeat("名", 65)}, "name"},
			{manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Name: "a\x00b"}, "name"},
			{manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Name: "d", Description: strings.Repeat("x", 513)}, "description"},
			{manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Name: "e", ExpireTime: time.Now().Add(-time.Hour).UnixMilli()}, "expire_time"},
			{manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Name: "e", ExpireTime: -5}, "expire_time"},
			{manage.CreateAgentTokenRequest{Name: "no scope"}, "bk_scope_id"},
		} {
			_, err := svc.CreateAgentToken(ctx, c.req)
			require.Error(t, err, c.req.Name)
			require.Equal(t, c.field, errs.From(err).Field, "%q: %v", c.req.Name, err)
		}
		for _, c := range []struct {
			req   manage.RotateAgentTokenRequest
			field string
		}{
			{manage.RotateAgentTokenRequest{ScopeRef: tokenBiz1}, "id"},
			{manage.RotateAgentTokenRequest{ScopeRef: tokenBiz1, ID: good.ID, GraceSeconds: -1}, "grace_seconds"},
			{manage.RotateAgentTokenRequest{ScopeRef: tokenBiz1, ID: good.ID, GraceSeconds: 3601}, "grace_seconds"},
			{manage.RotateAgentTokenRequest{ScopeRef: tokenBiz1, ID: good.ID + 1000}, "id"},
		} {
			_, err := svc.RotateAgentToken(ctx, c.req)
			require.Error(t, err)
			require.Equal(t, c.field, errs.From(err).Field, "%+v: %v", c.req, err)
		}
		_, err := svc.ListAgentTokens(ctx, manage.ListAgentTokensRequest{ScopeRef: tokenBiz1, Length: 5000})
		require.Equal(t, "length", errs.From(err).Field)
	})
	page, err := env.impl.ListAgentTokens(ctx, manage.ListAgentTokensRequest{ScopeRef: tokenBiz1})
	require.NoError(t, err)
	require.Equal(t, 1, page.Total, "nothing was created")
	_, err = hub.NewRegistry(env.db).MatchEnrolToken(ctx, good.Token, time.Now())
	require.NoError(t, err, "nothing was rotated")
	// Change the last hex digit (to another one: a token may end in "0").
	last := "0"
	if strings.HasSuffix(good.Token, "0") {
		last = "1"
	}
	_, err = hub.NewRegistry(env.db).MatchEnrolToken(ctx, good.Token[:len(good.Token)-1]+last, time.Now())
	require.Error(t, err, "a wrong secret is refused")
}

// TestAgentTokenLimit: a business keeps at most MaxAgentTokensPerBiz tokens.
func TestAgentTokenLimit(t *testing.T) {
	env := newCredEnv(t, openSQLite(t))
	ctx := context.Background()
	for i := 0; i < manage.MaxAgentTokensPerBiz; i++ {
		_, err := env.impl.CreateAgentToken(ctx, manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Name: "t"})
		require.NoError(t, err)
	}
	_, err := env.impl.CreateAgentToken(ctx, manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Name: "one too many"})
	require.ErrorIs(t, err, manage.ErrAgentTokenLimit)
	_, err = env.impl.CreateAgentToken(ctx, manage.CreateAgentTokenRequest{ScopeRef: tokenBiz2, Name: "other business"})
	require.NoError(t, err, "the bound is per business")
}

// TestAgentTokensAdminOnly: every token endpoint refuses a caller without
// every scope, on the v3 and the web API, and nothing changes.
func TestAgentTokensAdminOnly(t *testing.T) {
	env := newCredEnv(t, openSQLite(t))
	tok, err := env.impl.CreateAgentToken(context.Background(), manage.CreateAgentTokenRequest{ScopeRef: tokenBiz1, Name: "kept"})
	require.NoError(t, err)
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
		scope := `"bk_scope_type":"biz","bk_scope_id":"1"`
		id := `,"id":` + jsonInt(tok.ID)
		for _, c := range []struct{ name, body string }{
			{"list_agent_tokens", `{` + scope + `}`},
			{"create_agent_token", `{` + scope + `,"name":"x"}`},
			{"rotate_agent_token", `{` + scope + id + `}`},
		} {
			v3, raw := call(t, srv, http.MethodPost, c.name, c.body)
			require.Equal(t, admin, v3.Result, raw)
			if !admin {
				require.Equal(t, 1238001, v3.Code, raw)
				require.NotContains(t, raw, hub.EnrolTokenPrefix)
			}
			resp, err := http.Post(srv.URL+"/api/web/"+c.name, "application/json", strings.NewReader(c.body))
			require.NoError(t, err)
			_ = resp.Body.Close()
			want := http.StatusForbidden
			if admin {
				want = http.StatusOK
			}
			require.Equal(t, want, resp.StatusCode, c.name)
		}
		if !admin {
			page, err := env.impl.ListAgentTokens(context.Background(), manage.ListAgentTokensRequest{ScopeRef: tokenBiz1})
			require.NoError(t, err)
			require.Equal(t, 1, page.Total, "a refused create made nothing")
			_, err = hub.NewRegistry(env.db).MatchEnrolToken(context.Background(), tok.Token, time.Now())
			require.NoError(t, err, "a refused rotate changed nothing")
			v3, raw := call(t, srv, http.MethodPost, "delete_agent_token", `{`+scope+id+`}`)
			require.False(t, v3.Result, raw)
		}
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
