package logsvrimpl

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/config"
)

// Open builds the configured log store: "embedded" (files under
// <dataDir>/logs) or "mongodb". The store buffers and flushes at once; Start
// begins the daily retention purge, Stop flushes and closes.
func Open(ctx context.Context, cfg config.Logsvr, dataDir string, log *slog.Logger) (logsvr.Store, error) {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("backend", cfg.Backend)
	opt := tuning{capBytes: cfg.MaxHostBytes, retentionDays: cfg.RetentionDays}
	if opt.capBytes <= 0 {
		return nil, fmt.Errorf("open log store: max_host_bytes must be positive, got %d", cfg.MaxHostBytes)
	}
	switch cfg.Backend {
	case "", "embedded":
		be, err := newEmbedded(filepath.Join(dataDir, "logs"), log)
		if err != nil {
			return nil, fmt.Errorf("open embedded log store: %w", err)
		}
		return newService(be, opt, log), nil //nolint:contextcheck // its flush loop runs until Stop; ctx bounds the opening only
	case "mongodb":
		be, err := newMongo(ctx, cfg.MongoURI, cfg.MongoDatabase, log)
		if err != nil {
			return nil, fmt.Errorf("open mongodb log store: %w", err)
		}
		return newService(be, opt, log), nil //nolint:contextcheck // its flush loop runs until Stop; ctx bounds the opening only
	default:
		return nil, fmt.Errorf("open log store: unknown backend %q (embedded | mongodb)", cfg.Backend)
	}
}
