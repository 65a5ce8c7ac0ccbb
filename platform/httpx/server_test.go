package httpx

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
)

func newTestServer(t *testing.T) *Server {
	t.Helper()
	s, err := NewServer(Options{Addr: "127.0.0.1:0"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	return s
}

func do(t *testing.T, s *Server, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Echo.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestSPAFallback(t *testing.T) {
	s := newTestServer(t)
	s.MountUI(fstest.MapFS{
		"index.html":    {Data: []byte("<html>app</html>")},
		"assets/app.js": {Data: []byte("console.log(1)")},
	})
	s.Echo.GET("/api/web/version", func(c echo.Context) error { return c.JSON(200, map[string]string{"v": "1"}) })

	tests := []struct {
		path, wantBody, wantType string
		wantStatus               int
	}{
		{"/", "app", "text/html", 200},
		{"/biz/1/execute/task/5", "app", "text/html", 200},
		{"/assets/app.js", "console.log", "javascript", 200},
		{"/assets/missing.js", `"code":1241002`, "application/json", 404},
		{"/api/web/version", `"v":"1"`, "application/json", 200},
		{"/api/web/nope", `"code":1239003`, "application/json", 404}, // API_UNSUPPORTED, as on v3
		{"/api/v3/nope", `"code":1239003`, "application/json", 200},  // bk-job's API_UNSUPPORTED
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := do(t, s, http.MethodGet, tt.path)
			require.Equal(t, tt.wantStatus, rec.Code)
			require.Contains(t, rec.Body.String(), tt.wantBody)
			require.Contains(t, rec.Header().Get("Content-Type"), tt.wantType)
		})
	}
}

func TestStubPageWithoutUI(t *testing.T) {
	s := newTestServer(t)
	s.MountUI(nil)
	rec := do(t, s, http.MethodGet, "/")
	require.Equal(t, 200, rec.Code)
	require.Contains(t, rec.Body.String(), "built without the web UI")
	rec = do(t, s, http.MethodPost, "/api/anything")
	require.Equal(t, 404, rec.Code)
	require.NotContains(t, rec.Body.String(), "<html")
}

func TestErrorMapper(t *testing.T) {
	s := newTestServer(t)
	planNotFound := errs.New("plan.notFound", http.StatusNotFound, "plan not found")
	s.Echo.GET("/typed", func(c echo.Context) error { return planNotFound })
	s.Echo.GET("/field", func(c echo.Context) error { return errs.Invalid("timeout", "must be 1..259200") })
	s.Echo.GET("/plain", func(c echo.Context) error { return io.ErrUnexpectedEOF })
	s.Echo.GET("/panic", func(c echo.Context) error { panic("boom") })

	rec := do(t, s, http.MethodGet, "/typed")
	require.Equal(t, 404, rec.Code)
	require.Contains(t, rec.Body.String(), `"code":1241002`) // a not-found bk-job has no code for
	require.Contains(t, rec.Body.String(), `"message":"plan not found"`)

	rec = do(t, s, http.MethodGet, "/field")
	require.Equal(t, 400, rec.Code)
	require.Contains(t, rec.Body.String(), `"field":"timeout"`)

	for _, p := range []string{"/plain", "/panic"} {
		rec = do(t, s, http.MethodGet, p)
		require.Equal(t, 500, rec.Code, p)
		require.Contains(t, rec.Body.String(), "internal error")
		require.NotContains(t, rec.Body.String(), "EOF")
	}
}

func TestHealthReadyAndMetrics(t *testing.T) {
	s := newTestServer(t)
	pending, down := []string{"execute"}, []string(nil)
	s.MountHealth(func() []string { return pending }, func() []string { return down })
	s.MountMetrics()
	require.Equal(t, 200, do(t, s, http.MethodGet, "/healthz").Code)
	rec := do(t, s, http.MethodGet, "/readyz")
	require.Equal(t, 503, rec.Code)
	require.Contains(t, rec.Body.String(), "execute")
	pending, down = nil, []string{"db"}
	rec = do(t, s, http.MethodGet, "/readyz")
	require.Equal(t, 503, rec.Code, "a backend that stopped answering makes the process not ready")
	require.Contains(t, rec.Body.String(), `"backends_down":["db"]`)
	down = nil
	require.Equal(t, 200, do(t, s, http.MethodGet, "/readyz").Code)

	body := do(t, s, http.MethodGet, "/metrics").Body.String()
	require.True(t, strings.Contains(body, `bkjob_http_requests_total{method="GET",route="/readyz",status="503"} 2`), body[:200])
	require.Contains(t, body, "go_goroutines")
}

func TestV3Envelope(t *testing.T) {
	s := newTestServer(t)
	s.Echo.GET("/ok", func(c echo.Context) error { return V3OK(c, map[string]int{"job_instance_id": 1}) })
	s.Echo.GET("/bad", func(c echo.Context) error { return V3Error(c, errs.Required("target_server")) })
	rec := do(t, s, http.MethodGet, "/ok")
	require.Contains(t, rec.Body.String(), `"result":true,"code":0`)
	rec = do(t, s, http.MethodGet, "/bad")
	require.Equal(t, 200, rec.Code)
	require.Contains(t, rec.Body.String(), `"result":false,"code":1241004`, "MISSING_PARAM_WITH_PARAM_NAME")
	require.Contains(t, rec.Body.String(), "target_server: is required")
	require.Regexp(t, `"job_request_id":"[0-9a-zA-Z]+"`, rec.Body.String())
}

func TestV3ErrorHidesInternalDetails(t *testing.T) {
	s := newTestServer(t)
	s.Echo.GET("/db", func(c echo.Context) error {
		return V3Error(c, errors.New("dial tcp 10.0.3.5:3306: connect: connection refused"))
	})
	s.Echo.GET("/down", func(c echo.Context) error { return V3Error(c, errs.ErrUnavailable.Withf("engine not started")) })
	rec := do(t, s, http.MethodGet, "/db")
	require.Equal(t, 200, rec.Code)
	require.Contains(t, rec.Body.String(), `"result":false`)
	require.Contains(t, rec.Body.String(), "internal error (request id")
	require.NotContains(t, rec.Body.String(), "10.0.3.5")
	require.Contains(t, do(t, s, http.MethodGet, "/down").Body.String(), "engine not started", "availability errors keep their message")
}
