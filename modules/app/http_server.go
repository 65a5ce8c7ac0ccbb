package app

import (
	"log/slog"

	"github.com/bkjob/bkjob/modules/execute"
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
	for _, name := range execute.V3JobEndpoints() {
		srv.SetBodyLimit("/api/v3/"+name, cfg.HTTP.MaxJobBodyBytes)
	}
	return srv, nil
}
