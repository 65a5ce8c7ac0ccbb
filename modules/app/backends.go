package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/cache"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/crypto"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/platform/lock"
	"gorm.io/gorm"
)

// Backends opens each backend on first use and closes them all in reverse
// order. Roles ask only for what they need, so a process running only
// `gateway` never opens a database connection it does not use.
type Backends struct {
	cfg *config.Config
	log *slog.Logger

	mu      sync.Mutex
	closers []func() error
	db      *gorm.DB
	cache   cache.Cache
	locker  lock.Locker
	bus     bus.Bus
	blob    blob.Store
	box     *crypto.Box
}

// NewBackends returns an empty set for cfg.
func NewBackends(cfg *config.Config, log *slog.Logger) *Backends {
	return &Backends{cfg: cfg, log: log}
}

// Config is the effective configuration.
func (b *Backends) Config() *config.Config { return b.cfg }

// Log is the process logger.
func (b *Backends) Log() *slog.Logger { return b.log }

// DB opens the relational store and applies migrations (under a lock, so
// processes starting together migrate once).
func (b *Backends) DB(ctx context.Context) (*gorm.DB, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.db != nil {
		return b.db, nil
	}
	gdb, err := db.Open(ctx, b.cfg.DB, b.cfg.DataDir, b.log)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, gdb, b.cfg.DB.Driver); err != nil {
		closeGorm(gdb)
		return nil, fmt.Errorf("migrate %s: %w", b.cfg.DB.Driver, err)
	}
	b.db = gdb
	b.closers = append(b.closers, func() error { return closeGorm(gdb) })
	return gdb, nil
}

// Cache opens the cache.
func (b *Backends) Cache() (cache.Cache, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cache == nil {
		c, err := cache.Open(b.cfg.Cache)
		if err != nil {
			return nil, fmt.Errorf("open cache: %w", err)
		}
		b.cache = c
		b.closers = append(b.closers, c.Close)
	}
	return b.cache, nil
}

// Locker opens the lock service.
func (b *Backends) Locker() (lock.Locker, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.locker == nil {
		l, err := lock.Open(b.cfg.Lock)
		if err != nil {
			return nil, fmt.Errorf("open locker: %w", err)
		}
		b.locker = l
		b.closers = append(b.closers, l.Close)
	}
	return b.locker, nil
}

// Bus opens the bus.
func (b *Backends) Bus(ctx context.Context) (bus.Bus, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bus == nil {
		bb, err := bus.Open(ctx, b.cfg.Bus, b.log.With("component", "bus"))
		if err != nil {
			return nil, fmt.Errorf("open bus: %w", err)
		}
		b.bus = bb
		b.closers = append(b.closers, bb.Close)
	}
	return b.bus, nil
}

// Blob opens the file store.
func (b *Backends) Blob() (blob.Store, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.blob == nil {
		s, err := blob.NewLocal(b.cfg.Path(b.cfg.Blob.Dir, "files"))
		if err != nil {
			return nil, err
		}
		b.blob = s
	}
	return b.blob, nil
}

// Crypto opens the secret box.
func (b *Backends) Crypto() (*crypto.Box, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.box == nil {
		box, err := crypto.Open(b.cfg.Crypto.Key, b.cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("open secret box: %w", err)
		}
		b.box = box
	}
	return b.box, nil
}

// Close closes every opened backend, newest first.
func (b *Backends) Close() {
	b.mu.Lock()
	closers := b.closers
	b.closers = nil
	b.mu.Unlock()
	for i := len(closers) - 1; i >= 0; i-- {
		if err := closers[i](); err != nil {
			b.log.Warn("close backend", "err", err)
		}
	}
}

func closeGorm(gdb *gorm.DB) error {
	sqlDB, err := gdb.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}
