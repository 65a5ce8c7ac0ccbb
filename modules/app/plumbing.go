package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/cache"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/crypto"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/platform/lock"
	"github.com/bkjob/bkjob/platform/roles"
	"gorm.io/gorm"
)

// The hidden roles: each opens one backend into a field of the wiring, and
// only when a selected role depends on it, so a process running only
// `gateway` never opens the blob store or the secret box. They start and
// stop with nothing to do; their Cleanup closes what they opened, after
// every role that uses it has stopped.

func (w *wiring) provisionDB(ctx context.Context) (roles.Service, error) {
	gdb, err := openDB(ctx, w.cfg, w.log)
	if err != nil {
		return nil, err
	}
	w.db = gdb
	return plumbing{close: func() error { return closeGorm(gdb) }}, nil
}

func (w *wiring) provisionBus(ctx context.Context) (roles.Service, error) {
	b, err := bus.Open(ctx, w.cfg.Bus, w.log.With("component", "bus"))
	if err != nil {
		return nil, fmt.Errorf("open bus: %w", err)
	}
	w.bus = b
	return plumbing{close: b.Close}, nil
}

func (w *wiring) provisionBlob(context.Context) (roles.Service, error) {
	s, err := blob.NewLocal(w.cfg.Path(w.cfg.Blob.Dir, "files"))
	if err != nil {
		return nil, err
	}
	w.blob = s
	return plumbing{}, nil
}

func (w *wiring) provisionCache(ctx context.Context) (roles.Service, error) {
	c, err := cache.Open(ctx, w.cfg.Cache)
	if err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	w.cache = c
	return plumbing{close: c.Close}, nil
}

func (w *wiring) provisionLock(ctx context.Context) (roles.Service, error) {
	l, err := lock.Open(ctx, w.cfg.Lock)
	if err != nil {
		return nil, fmt.Errorf("open locker: %w", err)
	}
	w.locker = l
	return plumbing{close: l.Close}, nil
}

func (w *wiring) provisionCrypto(context.Context) (roles.Service, error) {
	box, err := crypto.Open(w.cfg.Crypto.Key, w.cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("open secret box: %w", err)
	}
	w.box = box
	return plumbing{}, nil
}

// plumbing is a hidden role's service.
type plumbing struct{ close func() error }

var (
	_ roles.Service = plumbing{}
	_ roles.Cleaner = plumbing{}
)

func (plumbing) Start(context.Context) error { return nil }
func (plumbing) Stop(context.Context) error  { return nil }

// Cleanup closes the backend.
func (p plumbing) Cleanup(context.Context) error {
	if p.close == nil {
		return nil
	}
	return p.close()
}

// openDB opens the relational store and applies migrations (under a lock,
// so processes starting together migrate once).
func openDB(ctx context.Context, cfg *config.Config, log *slog.Logger) (*gorm.DB, error) {
	gdb, err := db.Open(ctx, cfg.DB, cfg.DataDir, log)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, gdb, cfg.DB.Driver); err != nil {
		_ = closeGorm(gdb)
		return nil, fmt.Errorf("migrate %s: %w", cfg.DB.Driver, err)
	}
	return gdb, nil
}

func closeGorm(gdb *gorm.DB) error {
	sqlDB, err := gdb.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}
