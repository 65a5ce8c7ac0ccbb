package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/errs"
)

type adminProbe struct {
	api.ScopeRef
	X int `json:"x"`
}

// TestAdminEndpointMayNameNoScope: an administrators-only endpoint takes a
// request without a scope (the platform) and leaves it unresolved; one
// that names a scope still has it resolved; a non-administrator is refused
// before anything, and a plain endpoint still needs its scope.
func TestAdminEndpointMayNameNoScope(t *testing.T) {
	var got *adminProbe
	call := func(_ context.Context, req adminProbe) (int, error) { got = &req; return req.X, nil }
	resolved := 0
	d := Door{MaxBody: 1 << 10, ResolveScope: func(_ context.Context, s *api.ScopeRef) error {
		if s.ScopeID == "" {
			return errs.Required("bk_scope_id")
		}
		resolved++
		s.Resolved, s.BizID = true, 7
		return nil
	}}
	run := func(admin bool, actor Actor, body string) *httptest.ResponseRecorder {
		e := echo.New()
		ep := Endpoint{Method: api.Method{V3: "probe", Admin: admin}, Serve: V3Handler[adminProbe](call)}
		req := httptest.NewRequest(http.MethodPost, "/probe", strings.NewReader(body))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		rec := httptest.NewRecorder()
		c := e.NewContext(req, rec)
		SetActor(c, actor)
		require.NoError(t, serve(ep, d, func(c echo.Context, err error) error { return V3Error(c, err) })(c))
		return rec
	}
	admin := Actor{Username: "admin", AllScopes: true}

	got = nil
	rec := run(true, admin, `{"x":1}`)
	require.Contains(t, rec.Body.String(), `"result":true`)
	require.NotNil(t, got)
	require.False(t, got.Resolved)
	require.Zero(t, got.BizID)

	rec = run(true, admin, `{"x":2,"bk_scope_type":"biz","bk_scope_id":"7"}`)
	require.Contains(t, rec.Body.String(), `"result":true`)
	require.True(t, got.Resolved)
	require.Equal(t, 1, resolved)

	got = nil
	rec = run(true, Actor{Username: "alice"}, `{"x":3}`)
	require.Contains(t, rec.Body.String(), `"code":1238001`)
	require.Nil(t, got)

	rec = run(false, admin, `{"x":4}`)
	require.Contains(t, rec.Body.String(), `"code":1241004`)
	require.Nil(t, got)
}
