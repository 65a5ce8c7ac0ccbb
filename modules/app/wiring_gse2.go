package app

import (
	"fmt"
	"net/url"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gse2"
	"github.com/bkjob/bkjob/modules/manage/manageimpl"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/logging"
)

// newGSE2 builds the BlueKing GSE 2.0 adapter, the agent transport when
// gse.transport is gse2 (docs/gse2.md). No hub runs beside it and the
// built-in agent is not started (config refuses gse.local_agent.enabled
// with gse2): hosts are reached through the GSE agents registered with
// register_gse_hosts, or over SSH.
func (w *wiring) newGSE2(sink gse.Sink, store blob.Store) (*gse2.Transport, error) {
	cfg := gse2.ConfigFrom(w.cfg)
	log := logging.ForRole(w.log, "gse")
	t, err := gse2.New(cfg, gse2.Deps{Sink: sink, Blob: store, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("start the gse2 transport: %w", err)
	}
	gateway := cfg.URL
	if u, err := url.Parse(cfg.URL); err == nil {
		gateway = u.Redacted()
	}
	log.Info("gse transport is gse2: no agent hub, no built-in agent", "url", gateway, "blob_agent", cfg.BlobAgent != "")
	return t, nil
}

// gseHostsOption lets manage register GSE hosts (register_gse_hosts) only
// when hosts are reached through GSE 2.0.
func gseHostsOption(cfg *config.Config) manageimpl.Option {
	if cfg.GSE.Transport == "gse2" {
		return manageimpl.WithGSEHosts()
	}
	return func(*manageimpl.Service) {}
}
