package httpx

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/labstack/echo/v4"
)

// stubPage is served when the binary was built without the UI.
const stubPage = `<!doctype html><html><head><meta charset="utf-8"><title>bkjob</title></head>
<body><h1>bkjob</h1><p>This binary was built without the web UI.</p>
<p>Build it with <code>go tool task build</code> (or <code>go tool task serve</code>), which runs
<code>npm ci &amp;&amp; npm run build</code> in <code>frontend/</code> and embeds the result with the
<code>ui</code> build tag.</p><p>The API is available under <code>/api/</code>.</p></body></html>`

// MountUI serves the single-page app from dist (nil: the stub page). Paths
// under /api/ never get HTML: an unknown API path is a JSON 404. Other paths
// without a dot fall back to index.html so client-side routes reload.
func (s *Server) MountUI(dist fs.FS) {
	s.Echo.GET("/*", func(c echo.Context) error {
		p := c.Request().URL.Path
		if isAPIPath(p) {
			return apiNotFound(c, p)
		}
		if dist == nil {
			return c.HTML(http.StatusOK, stubPage)
		}
		name := strings.TrimPrefix(path.Clean(p), "/")
		if name == "" {
			name = "index.html"
		}
		if st, err := fs.Stat(dist, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}
			return echo.StaticFileHandler(name, dist)(c)
		}
		if strings.Contains(path.Base(name), ".") {
			return errs.ErrNotFound.Withf("no such file %s", p)
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		return echo.StaticFileHandler("index.html", dist)(c)
	})
	for _, prefix := range []string{"/api", "/api/*"} {
		s.Echo.Any(prefix, func(c echo.Context) error {
			return apiNotFound(c, c.Request().URL.Path)
		})
	}
}

func isAPIPath(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }

// apiNotFound answers an API path nobody serves: under /api/v3 in bk-job's
// envelope (1239003, API_UNSUPPORTED, HTTP 200), elsewhere a JSON 404.
func apiNotFound(c echo.Context, p string) error {
	if strings.HasPrefix(p, "/api/v3/") || p == "/api/v3" {
		return V3Error(c, errs.ErrUnsupportedAPI.Withf("unsupported API %s", p))
	}
	return errs.ErrUnsupportedAPI.Withf("no such API path %s", p)
}

// V3NotFound answers an unknown /api/v3 name (for the v3 group's own
// not-found route): 1239003, API_UNSUPPORTED, HTTP 200.
func V3NotFound(c echo.Context) error { return apiNotFound(c, c.Request().URL.Path) }
