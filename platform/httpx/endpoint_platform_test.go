package httpx

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	goreflect "reflect"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/api"
)

type platformReq struct {
	api.Platform
	Name string `json:"name"`
}

type sharedReq struct {
	api.Shared
	Name string `json:"name"`
}

type plainAnswer struct {
	Name string `json:"name"`
}

type scopeList struct {
	Scopes []string `json:"scopes"`
}

func (l *scopeList) KeepScopes(keep func(scopeType, scopeID string) bool) {
	kept := []string{}
	for _, id := range l.Scopes {
		if keep("biz", id) {
			kept = append(kept, id)
		}
	}
	l.Scopes = kept
}

// TestPlatformWideEndpoints: a request that names no scope (api.Platform)
// is served to administrators only, unless its answer lists scopes, which
// the door then cuts to those the caller may use, or it reads shared
// platform data (api.Shared, whose writes are declared admin).
func TestPlatformWideEndpoints(t *testing.T) {
	resolved := 0
	door := Door{MaxBody: 1 << 20, ResolveScope: func(context.Context, *api.ScopeRef) error { resolved++; return nil }}
	eps := []Endpoint{
		{Method: api.Method{Web: "plain", Request: goreflect.TypeFor[platformReq](), Response: goreflect.TypeFor[plainAnswer]()},
			Serve: WebHandler(func(_ context.Context, r platformReq) (plainAnswer, error) { return plainAnswer{Name: r.Name}, nil })},
		{Method: api.Method{Web: "list", Request: goreflect.TypeFor[platformReq](), Response: goreflect.TypeFor[scopeList]()},
			Serve: WebHandler(func(context.Context, platformReq) (scopeList, error) {
				return scopeList{Scopes: []string{"1", "2"}}, nil
			})},
		{Method: api.Method{Web: "shared", Request: goreflect.TypeFor[sharedReq](), Response: goreflect.TypeFor[plainAnswer]()},
			Serve: WebHandler(func(_ context.Context, r sharedReq) (plainAnswer, error) { return plainAnswer{Name: r.Name}, nil })},
		{Method: api.Method{Web: "shared_write", Admin: true, Request: goreflect.TypeFor[sharedReq](), Response: goreflect.TypeFor[plainAnswer]()},
			Serve: WebHandler(func(_ context.Context, r sharedReq) (plainAnswer, error) { return plainAnswer{Name: r.Name}, nil })},
	}
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		_ = c.JSON(http.StatusForbidden, map[string]string{"error": err.Error()})
	}
	as := func(a Actor) echo.MiddlewareFunc {
		return func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error { SetActor(c, a); return next(c) }
		}
	}
	MountWeb(e.Group("/admin", as(Actor{Username: "root", AllScopes: true})), eps, door)
	MountWeb(e.Group("/user", as(Actor{Username: "bob"})), eps, door)
	call := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"name":"x"}`)))
		return rec.Code, rec.Body.String()
	}

	code, body := call("/admin/plain")
	require.Equal(t, http.StatusOK, code, body)
	code, body = call("/user/plain")
	require.Equal(t, http.StatusForbidden, code, "a platform-wide request without a scope list is for administrators")
	require.Contains(t, body, "administrator")

	code, body = call("/admin/list")
	require.Equal(t, http.StatusOK, code)
	var got scopeList
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.Equal(t, []string{"1", "2"}, got.Scopes)
	code, body = call("/user/list")
	require.Equal(t, http.StatusOK, code, "a scope list is for everyone, cut to what they may use")
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.Empty(t, got.Scopes, "a user granted no scope sees none")

	code, body = call("/user/shared")
	require.Equal(t, http.StatusOK, code, "shared platform data is read by every signed-in caller: %s", body)
	code, body = call("/user/shared_write")
	require.Equal(t, http.StatusForbidden, code, "its writes are declared admin")
	require.Contains(t, body, "administrator")
	code, _ = call("/admin/shared_write")
	require.Equal(t, http.StatusOK, code)
	require.Zero(t, resolved, "no scope to resolve")
}
