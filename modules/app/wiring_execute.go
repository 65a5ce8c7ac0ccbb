package app

import (
	"context"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executeimpl"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/logging"
	"github.com/bkjob/bkjob/platform/roles"
)

// provisionExecute builds the engine over the transport, logs and manage
// of this process (implementations or bus clients), and plugs it into the
// gse role's sink when that role runs here.
func (w *wiring) provisionExecute(context.Context) (roles.Service, error) {
	transport, err := w.transportAPI()
	if err != nil {
		return nil, err
	}
	logs, err := w.logsAPI()
	if err != nil {
		return nil, err
	}
	mgr, err := w.manageAPI()
	if err != nil {
		return nil, err
	}
	eng, err := executeimpl.New(executeimpl.Deps{
		DB: w.db, Bus: w.bus, Transport: transport, Logs: logs, Manage: mgr, Scripts: mgr,
		Hosts: &executeimpl.DBHosts{DB: w.db}, Blob: w.blob, Crypto: w.box, Config: *w.cfg,
		Log:     logging.ForRole(w.log, "execute"),
		Options: executeimpl.Options{LostCheckInterval: w.cfg.GSE.LostCheckInterval},
	})
	if err != nil {
		return nil, err
	}
	w.engine = eng
	w.toEngine.eng = eng
	return executeRole{eng: eng, bus: w.bus}, nil
}

// executeRole runs the engine and serves it, and its event sink, on the bus.
type executeRole struct {
	eng *executeimpl.Engine
	bus bus.Bus
}

func (r executeRole) Start(ctx context.Context) error {
	if err := r.eng.Start(ctx); err != nil {
		return err
	}
	if err := execute.Serve(r.bus, r.eng); err != nil {
		return err
	}
	return gse.ServeSink(r.bus, r.eng.Sink())
}

func (r executeRole) Stop(ctx context.Context) error { return r.eng.Stop(ctx) }
