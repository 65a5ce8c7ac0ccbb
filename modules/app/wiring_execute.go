package app

import (
	"context"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executeimpl"
	"github.com/bkjob/bkjob/platform/logging"
	"github.com/bkjob/bkjob/platform/roles"
)

// Execute returns the execute service for callers in this process.
func (w *wiring) Execute(ctx context.Context) (execute.Service, error) {
	if w.local("execute") {
		return w.engineImpl(ctx)
	}
	b, err := w.b.Bus(ctx)
	if err != nil {
		return nil, err
	}
	return execute.NewClient(b), nil
}

func (w *wiring) engineImpl(ctx context.Context) (*executeimpl.Engine, error) {
	w.mu.Lock()
	eng := w.engine
	w.mu.Unlock()
	if eng != nil {
		return eng, nil
	}
	gdb, err := w.b.DB(ctx)
	if err != nil {
		return nil, err
	}
	b, err := w.b.Bus(ctx)
	if err != nil {
		return nil, err
	}
	store, err := w.b.Blob()
	if err != nil {
		return nil, err
	}
	transport, err := w.Transport(ctx)
	if err != nil {
		return nil, err
	}
	logs, err := w.Logs(ctx)
	if err != nil {
		return nil, err
	}
	mgr, err := w.Manage(ctx)
	if err != nil {
		return nil, err
	}
	box, err := w.b.Crypto()
	if err != nil {
		return nil, err
	}
	eng, err = executeimpl.New(executeimpl.Deps{
		DB: gdb, Bus: b, Transport: transport, Logs: logs, Manage: mgr,
		Hosts: &executeimpl.DBHosts{DB: gdb}, Blob: store, Crypto: box, Config: *w.b.Config(),
		Log:     logging.ForRole(w.b.Log(), "execute"),
		Options: executeimpl.Options{LostCheckInterval: w.b.Config().GSE.LostCheckInterval},
	})
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.engine == nil {
		w.engine = eng
	}
	return w.engine, nil
}

func (w *wiring) newExecute() (roles.Service, error) {
	return funcService{
		start: func(ctx context.Context) error {
			eng, err := w.engineImpl(ctx)
			if err != nil {
				return err
			}
			if err := eng.Start(ctx); err != nil {
				return err
			}
			b, err := w.b.Bus(ctx)
			if err != nil {
				return err
			}
			if err := execute.Serve(b, eng); err != nil {
				return err
			}
			return gse.ServeSink(b, eng.Sink())
		},
		stop: func(ctx context.Context) error {
			w.mu.Lock()
			eng := w.engine
			w.mu.Unlock()
			if eng == nil {
				return nil
			}
			return eng.Stop(ctx)
		},
	}, nil
}
