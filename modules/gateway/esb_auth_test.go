package gateway

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/bkjob/bkjob/platform/testenv"
)

// TestESBCredentials: ESB clients put bk_app_code, bk_app_secret and
// bk_username in the body of a POST or the query of a GET; nothing else
// authenticates on an ESB path, and the credentials never reach the
// handler or the log.
func TestESBCredentials(t *testing.T) {
	logs := &testenv.Buffer{}
	f := newFixtureWith(t, fixtureOptions{env: []string{"BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret-esb"},
		mounts: []Mount{echoProbe}, log: logs})
	const path = "/api/c/compapi/v2/jobv3/get_job_instance_list/"

	t.Run("GET with the query", func(t *testing.T) {
		rec := f.raw(http.MethodGet, path+"?bk_scope_type=biz&bk_scope_id=2&bk_app_code=ci&bk_app_secret=s3cret-esb&bk_username=alice&bk_token=t0k", nil, "")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		r := decodeProbe(t, rec)
		require.Equal(t, httpx.Actor{Username: "alice", AppCode: "ci", AllScopes: true}, r.Data.Actor)
		require.Equal(t, "bk_scope_id=2&bk_scope_type=biz", r.Data.Query, "credentials taken out of the query")
	})
	t.Run("POST strips the query too", func(t *testing.T) {
		rec := f.raw(http.MethodPost, path+"?bk_app_secret=elsewhere&x=1", nil, `{"bk_app_code":"ci","bk_app_secret":"s3cret-esb","bk_scope_id":"2"}`)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		r := decodeProbe(t, rec)
		require.Equal(t, "ci", r.Data.Actor.Username, "no bk_username: the app itself")
		require.Equal(t, "x=1", r.Data.Query)
		require.JSONEq(t, `{"bk_scope_id":"2"}`, r.Data.Body)
	})

	refused := []struct {
		name, method, path string
		header             http.Header
		body               string
		reason             string
	}{
		{"wrong secret", http.MethodPost, path, nil, `{"bk_app_code":"ci","bk_app_secret":"guess-1","bk_username":"alice"}`, "invalid app code, app secret or user"},
		{"unknown app", http.MethodPost, path, nil, `{"bk_app_code":"nobody","bk_app_secret":"s3cret-esb"}`, "invalid app code, app secret or user"},
		{"secret only in X-Bkapi-Authorization", http.MethodPost, path, appAuth("ci", "s3cret-esb"), `{"bk_scope_id":"2"}`, "bk_app_code and bk_app_secret are required"},
		{"secret only in a header of its own", http.MethodPost, path, http.Header{"Bk_app_secret": {"s3cret-esb"}}, `{"bk_app_code":"ci"}`, "bk_app_code and bk_app_secret are required"},
		{"POST with the secret in the query", http.MethodPost, path + "?bk_app_code=ci&bk_app_secret=s3cret-esb", nil, `{"bk_scope_id":"2"}`, "bk_app_code and bk_app_secret are required"},
		{"GET with the secret in a body", http.MethodGet, path, nil, `{"bk_app_code":"ci","bk_app_secret":"s3cret-esb"}`, "bk_app_code and bk_app_secret are required"},
		{"empty body", http.MethodPost, path, nil, ``, "bk_app_code and bk_app_secret are required"},
		{"body not an object", http.MethodPost, path, nil, `[{"bk_app_code":"ci","bk_app_secret":"s3cret-esb"}]`, "must be a JSON object"},
		{"body not JSON", http.MethodPost, path, nil, `bk_app_code=ci&bk_app_secret=s3cret-esb`, "must be a JSON object"},
		{"secret not a string", http.MethodPost, path, nil, `{"bk_app_code":"ci","bk_app_secret":["s3cret-esb"]}`, "bk_app_code and bk_app_secret are required"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.raw(tt.method, tt.path, tt.header, tt.body)
			require.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
			r := decodeV3(t, rec)
			require.Equal(t, 1240005, r.Code)
			require.Contains(t, r.Message, tt.reason)
		})
	}
	require.NotContains(t, logs.String(), "s3cret-esb", "the secret is never logged")
	require.NotContains(t, logs.String(), "guess-1", "nor a wrong one")
	require.Contains(t, logs.String(), "api auth refused", "the refusal is")
}

// TestESBSharesTheSecretLimits: wrong secrets on an ESB path count against
// the app and the address as the header's do: after auth.max_failures the
// app is locked for the header too (429, API_OVER_LOAD), without bcrypt.
func TestESBSharesTheSecretLimits(t *testing.T) {
	f := newFixtureWith(t, fixtureOptions{env: []string{"BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret"}, mounts: []Mount{echoProbe}})
	esb := func(ip, secret string) *httptest.ResponseRecorder {
		return f.callWith(func(r *http.Request) { r.RemoteAddr = ip + ":40000" }, http.MethodPost, "/v2/jobv3/get_job_instance_list/", nil,
			map[string]any{"bk_app_code": "ci", "bk_app_secret": secret})
	}
	for i := range 12 {
		rec := esb("198.51.100.70", "guess")
		if i < 10 {
			require.Equal(t, http.StatusUnauthorized, rec.Code, "guess %d", i+1)
			continue
		}
		requireThrottled(t, rec, 15*time.Minute)
		require.Equal(t, 1239008, decodeV3(t, rec).Code)
	}
	require.Equal(t, int64(10), f.bcrypts.Load())
	rec := f.callFrom("203.0.113.71", http.MethodPost, "/api/v3/get_job_instance_list", appAuth("ci", "s3cret"), map[string]any{})
	requireThrottled(t, rec, 15*time.Minute)
	requireThrottled(t, esb("203.0.113.72", "s3cret"), 15*time.Minute)
	require.Equal(t, int64(10), f.bcrypts.Load(), "locked: the right secret costs no bcrypt on either door")
}

// TestESBBodyLimit: an ESB body over the route's limit is 413 in bk-job's
// envelope, as on /api/v3, read no further than the limit.
func TestESBBodyLimit(t *testing.T) {
	f := newFixtureWith(t, fixtureOptions{env: []string{"BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret"}, mounts: []Mount{echoProbe}})
	big := `{"bk_app_code":"ci","bk_app_secret":"s3cret","pad":"` + strings.Repeat("x", 2<<20) + `"}`
	for _, chunked := range []bool{false, true} {
		req := httptest.NewRequest(http.MethodPost, "/v2/jobv3/get_job_instance_list/", strings.NewReader(big))
		if chunked {
			req.ContentLength = -1
		}
		rec := httptest.NewRecorder()
		f.srv.Echo.ServeHTTP(rec, req)
		require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, "chunked %v: %s", chunked, rec.Body.String())
		require.Equal(t, 1239004, decodeV3(t, rec).Code)
	}
	require.Zero(t, f.bcrypts.Load(), "refused before the secret was checked")
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r    io.Reader
	read int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	return n, err
}

// TestESBLockedAddressBodyUnread: an address locked out for wrong secrets
// is refused on the ESB path before its body is read, so it cannot make the
// gateway read and decode bodies up to the route's limit for nothing.
func TestESBLockedAddressBodyUnread(t *testing.T) {
	f := newFixtureWith(t, fixtureOptions{env: []string{"BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret", "BKJOB_AUTH__IP_MAX_FAILURES=3"}, mounts: []Mount{echoProbe}})
	for i := range 3 { // three apps: the address is what gets locked
		f.callWith(func(r *http.Request) { r.RemoteAddr = "198.51.100.80:40000" }, http.MethodPost, "/v2/jobv3/get_job_instance_list/", nil,
			map[string]any{"bk_app_code": fmt.Sprintf("app%d", i), "bk_app_secret": "guess"})
	}
	body := &countingReader{r: strings.NewReader(`{"bk_app_code":"ci","bk_app_secret":"guess","pad":"` + strings.Repeat("x", 512<<10) + `"}`)}
	req := httptest.NewRequest(http.MethodPost, "/v2/jobv3/get_job_instance_list/", body)
	req.RemoteAddr = "198.51.100.80:40000"
	rec := httptest.NewRecorder()
	f.srv.Echo.ServeHTTP(rec, req)
	requireThrottled(t, rec, 15*time.Minute)
	require.Zero(t, body.read, "the locked address's body was not read")
}
