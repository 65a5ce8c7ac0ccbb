package app

import (
	"log/slog"

	"github.com/bkjob/bkjob/modules/gateway"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/httpx"
)

// newHTTPServer builds the process's HTTP server from the http section:
// limits, timeouts, trusted proxies and TLS. The v3 calls that carry
// scripts and files get the larger job body limit.
func newHTTPServer(cfg *config.Config, log *slog.Logger) (*httpx.Server, error) {
	opts, err := httpx.OptionsFrom(cfg.HTTP)
	if err != nil {
		return nil, err
	}
	srv, err := httpx.NewServer(opts, log.With("component", "http"))
	if err != nil {
		return nil, err
	}
	// Declared jobbody methods carry script content, config files or long
	// target lists: http.max_job_body_bytes on every surface they are on
	// (bk-job's other v3 paths are rewritten onto /api/v3/<name> first).
	for _, d := range gateway.Declarations() {
		if !d.JobBody {
			continue
		}
		if d.V3 != "" {
			srv.SetBodyLimit("/api/v3/"+d.V3, cfg.HTTP.MaxJobBodyBytes)
		}
		if d.Web != "" {
			srv.SetBodyLimit("/api/web/"+d.Web, cfg.HTTP.MaxJobBodyBytes)
		}
	}
	return srv, nil
}
