package app

import (
	"context"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/logsvr/logsvrimpl"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/logging"
	"github.com/bkjob/bkjob/platform/roles"
)

// provisionLogsvr opens the log store.
func (w *wiring) provisionLogsvr(ctx context.Context) (roles.Service, error) {
	st, err := logsvrimpl.Open(ctx, w.cfg.Logsvr, w.cfg.DataDir, logging.ForRole(w.log, "logsvr"))
	if err != nil {
		return nil, err
	}
	w.logs = st
	return logsvrRole{st: st, bus: w.bus}, nil
}

// logsvrRole runs the log store and serves it on the bus.
type logsvrRole struct {
	st  logsvr.Store
	bus bus.Bus
}

var _ roles.Cleaner = logsvrRole{}

func (r logsvrRole) Start(ctx context.Context) error {
	if err := r.st.Start(ctx); err != nil {
		return err
	}
	return logsvr.Serve(r.bus, r.st)
}

// Stop flushes what is buffered and closes the store.
func (r logsvrRole) Stop(ctx context.Context) error { return r.st.Stop(ctx) }

// Cleanup closes a store that was opened but never started (a later role
// failed); after Stop it does nothing.
func (r logsvrRole) Cleanup(ctx context.Context) error { return r.st.Stop(ctx) }
