package httpx

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/reqid"
)

type bindScope struct {
	ScopeType string `json:"bk_scope_type"`
	ScopeID   string `json:"bk_scope_id"`
}

type bindReq struct {
	bindScope
	ID       int64            `json:"id"`
	Limit    *int             `json:"limit"`
	Verbose  bool             `json:"verbose"`
	HostIDs  []int64          `json:"host_id_list"`
	Password string           `json:"password"`
	Target   map[string]any   `json:"target"`
	Tags     []string         `json:"tags"`
	Skipped  string           `json:"-"`
	Nested   struct{ A int }  `json:"nested"`
	Items    []map[string]any `json:"items"`
}

func bindRequest(t *testing.T, method, target, body string, maxBody int64) (bindReq, error) {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	c := echo.New().NewContext(r, httptest.NewRecorder())
	var req bindReq
	err := BindV3(c, &req, maxBody)
	return req, err
}

func TestBindV3Query(t *testing.T) {
	limit := 7
	tests := []struct {
		name  string
		query string
		want  bindReq
	}{
		{"scalars and embedded", "bk_scope_type=biz&bk_scope_id=2&id=42&limit=7&verbose=true",
			bindReq{bindScope: bindScope{"biz", "2"}, ID: 42, Limit: &limit, Verbose: true}},
		{"last value wins", "id=1&id=2", bindReq{ID: 2}},
		{"repeated list", "host_id_list=1&host_id_list=2", bindReq{HostIDs: []int64{1, 2}}},
		{"comma list", "host_id_list=1,%202,", bindReq{HostIDs: []int64{1, 2}}},
		{"bracket list", "host_id_list=[3,4]", bindReq{HostIDs: []int64{3, 4}}},
		{"unknown keys ignored", "nope=1&Skipped=x", bindReq{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bindRequest(t, http.MethodGet, "/x?"+tt.query, "", 1<<10)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestBindV3Body(t *testing.T) {
	got, err := bindRequest(t, http.MethodPost, "/x", `{"bk_scope_id":"3","id":5,"host_id_list":[1],"target":{"a":1}}`, 1<<10)
	require.NoError(t, err)
	require.Equal(t, "3", got.ScopeID)
	require.Equal(t, int64(5), got.ID)
	require.Equal(t, []int64{1}, got.HostIDs)
	require.Equal(t, map[string]any{"a": float64(1)}, got.Target)

	got, err = bindRequest(t, http.MethodPost, "/x?id=9", "  \n", 1<<10)
	require.NoError(t, err, "an empty body falls back to the query")
	require.Equal(t, int64(9), got.ID)

	_, err = bindRequest(t, http.MethodPost, "/x", `{"id":1}`, 8)
	require.NoError(t, err, "a body of exactly maxBody bytes fits")
}

// TestBindV3Errors: every error names the field and never quotes the value
// sent, which may be a secret.
func TestBindV3Errors(t *testing.T) {
	const secret = "hunter2-s3cr3t"
	tests := []struct {
		name, method, target, body string
		field                      string
	}{
		{"query int", http.MethodGet, "/x?id=" + secret, "", "id"},
		{"query bool", http.MethodGet, "/x?verbose=" + secret, "", "verbose"},
		{"query list", http.MethodGet, "/x?host_id_list=1," + secret, "", "host_id_list"},
		{"query string list", http.MethodGet, "/x?tags=" + secret, "", "tags"},
		{"query object", http.MethodGet, "/x?target=" + secret, "", "target"},
		{"query struct", http.MethodGet, "/x?nested=" + secret, "", "nested"},
		{"body type", http.MethodPost, "/x", `{"id":"` + secret + `"}`, "id"},
		{"body nested type", http.MethodPost, "/x", `{"password":["` + secret + `"]}`, "password"},
		{"body embedded struct", http.MethodPost, "/x", `{"bk_scope_id":["` + secret + `"]}`, "bk_scope_id"},
		{"body list element", http.MethodPost, "/x", `{"items":[{}, "` + secret + `"]}`, "items[1]"},
		{"body syntax", http.MethodPost, "/x", `{"password":"` + secret + `",}`, "body"},
		{"body not object", http.MethodPost, "/x", `"` + secret + `"`, "body"},
		{"body too large", http.MethodPost, "/x", `{"password":"` + secret + strings.Repeat("x", 64) + `"}`, "body"},
		{"body bare word", http.MethodPost, "/x", secret, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bindRequest(t, tt.method, tt.target, tt.body, 64)
			require.Error(t, err)
			var e *errs.Error
			require.True(t, errors.As(err, &e), "%v", err)
			require.ErrorIs(t, err, errs.ErrInvalid)
			require.Equal(t, tt.field, e.Field, "%v", err)
			require.NotContains(t, err.Error(), secret)
			require.NotContains(t, err.Error(), "hunter")
		})
	}
}

// TestRequestIDInContext: the request id a client is given is in the
// request's context, which the bus carries to the role that handles a call.
func TestRequestIDInContext(t *testing.T) {
	s, err := NewServer(Options{Addr: "127.0.0.1:0"}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	var seen string
	s.Echo.GET("/x", func(c echo.Context) error {
		seen = reqid.From(c.Request().Context())
		return c.NoContent(http.StatusNoContent)
	})
	rec := httptest.NewRecorder()
	s.Echo.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	require.NotEmpty(t, seen)
	require.Equal(t, rec.Header().Get(echo.HeaderXRequestID), seen)
}

// serverFilled is a request with what the server fills: the caller (a
// named embedded struct) and the resolved mark.
type serverFilled struct {
	api.ScopeRef
	Caller struct {
		Username string `json:"username"`
	} `json:"caller" web:"-"`
	Name string `json:"name"`
}

// TestBindV3QueryLeavesServerFieldsAlone: a query cannot set what the
// server fills, nor reach into a named embedded struct (encoding/json does
// not flatten one either).
func TestBindV3QueryLeavesServerFieldsAlone(t *testing.T) {
	var got serverFilled
	r := httptest.NewRequest(http.MethodGet, "/x?username=mallory&scope_resolved=true&bk_biz_id=2&name=n", nil)
	require.NoError(t, BindV3(echo.New().NewContext(r, httptest.NewRecorder()), &got, 1<<20))
	require.Empty(t, got.Caller.Username)
	require.False(t, got.Resolved)
	require.Equal(t, int64(2), got.BizID)
	require.Equal(t, "n", got.Name)
}
