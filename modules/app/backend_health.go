package app

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// How often the backends this process opened are pinged, and how long one
// ping may take, for /readyz.
const (
	healthInterval = 2 * time.Second
	healthTimeout  = time.Second
)

// pinger is a backend that can say whether its server answers.
type pinger interface {
	Ping(ctx context.Context) error
}

// backendChecks lists the backends this process opened that talk to a
// server, each with its ping. Embedded backends (SQLite aside) have
// nothing to lose. It reads the plumbing fields, so it runs after provision.
func (w *wiring) backendChecks() map[string]func(context.Context) error {
	out := map[string]func(context.Context) error{}
	if w.db != nil {
		gdb := w.db
		out["db"] = func(ctx context.Context) error {
			sqlDB, err := gdb.DB()
			if err != nil {
				return err
			}
			return sqlDB.PingContext(ctx)
		}
	}
	add := func(name string, v any) {
		if p, ok := v.(pinger); ok {
			out[name] = p.Ping
		}
	}
	add("cache", w.cache)
	add("lock", w.locker)
	add("bus", w.bus)
	return out
}

// backendHealth pings the opened backends every healthInterval and
// remembers which ones failed, so /readyz turns 503 within seconds of a
// database or broker going away, and 200 again when it is back.
type backendHealth struct {
	checks map[string]func(context.Context) error
	log    *slog.Logger

	mu   sync.Mutex
	down map[string]string // backend -> last error
}

func newBackendHealth(checks map[string]func(context.Context) error, log *slog.Logger) *backendHealth {
	return &backendHealth{checks: checks, log: log, down: map[string]string{}}
}

// run pings until ctx ends.
func (h *backendHealth) run(ctx context.Context) {
	t := time.NewTicker(healthInterval)
	defer t.Stop()
	for {
		h.checkOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// checkOnce pings every opened backend at once and records the outcome;
// a change is logged.
func (h *backendHealth) checkOnce(ctx context.Context) {
	checks := h.checks
	type outcome struct {
		name string
		err  error
	}
	results := make(chan outcome, len(checks))
	for name, ping := range checks {
		go func() {
			pctx, cancel := context.WithTimeout(ctx, healthTimeout)
			defer cancel()
			err := ping(pctx)
			if err == nil && pctx.Err() != nil {
				err = fmt.Errorf("no answer within %s", healthTimeout)
			}
			results <- outcome{name, err}
		}()
	}
	for range checks {
		r := <-results
		if ctx.Err() != nil {
			continue
		}
		h.mu.Lock()
		_, wasDown := h.down[r.name]
		if r.err != nil {
			h.down[r.name] = r.err.Error()
		} else {
			delete(h.down, r.name)
		}
		h.mu.Unlock()
		switch {
		case r.err != nil && !wasDown:
			h.log.Error("backend unreachable", "backend", r.name, "err", r.err)
		case r.err == nil && wasDown:
			h.log.Info("backend reachable again", "backend", r.name)
		}
	}
}

// Down lists the backends whose last ping failed, sorted.
func (h *backendHealth) Down() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.down))
	for name := range h.down {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
