package app

import (
	"context"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/logsvr/logsvrimpl"
	"github.com/bkjob/bkjob/platform/logging"
	"github.com/bkjob/bkjob/platform/roles"
)

// Logs returns the log service for callers in this process.
func (w *wiring) Logs(ctx context.Context) (logsvr.Service, error) {
	if w.local("logsvr") {
		return w.logsImpl(ctx)
	}
	b, err := w.b.Bus(ctx)
	if err != nil {
		return nil, err
	}
	return logsvr.NewClient(b), nil
}

func (w *wiring) logsImpl(ctx context.Context) (logsvr.Store, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.logs != nil {
		return w.logs, nil
	}
	cfg := w.b.Config()
	st, err := logsvrimpl.Open(ctx, cfg.Logsvr, cfg.DataDir, logging.ForRole(w.b.Log(), "logsvr"))
	if err != nil {
		return nil, err
	}
	w.logs = st
	return st, nil
}

func (w *wiring) newLogsvr() (roles.Service, error) {
	return funcService{
		start: func(ctx context.Context) error {
			st, err := w.logsImpl(ctx)
			if err != nil {
				return err
			}
			if err := st.Start(ctx); err != nil {
				return err
			}
			b, err := w.b.Bus(ctx)
			if err != nil {
				return err
			}
			return logsvr.Serve(b, st)
		},
		stop: func(ctx context.Context) error {
			st, err := w.logsImpl(ctx)
			if err != nil {
				return nil
			}
			return st.Stop(ctx)
		},
	}, nil
}
