package app

import (
	"context"
	"io"
	"io/fs"
	"sync"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executeimpl"
	"github.com/bkjob/bkjob/modules/gateway"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/modules/manage/manageimpl"
	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/bkjob/bkjob/platform/logging"
	"github.com/bkjob/bkjob/platform/roles"
	"github.com/labstack/echo/v4"
)

// wiring builds role services and hands each caller either a module's
// implementation or its bus client. It is the only place that choice is made.
type wiring struct {
	b        *Backends
	srv      *httpx.Server
	ui       fs.FS
	out      io.Writer
	logOut   io.Writer // the log stream; the local agent's output joins it
	agentExe string    // binary the local agent runs; default this one
	selected map[string]bool

	mu     sync.Mutex
	manage *manageimpl.Service
	logs   logsvr.Store
	engine *executeimpl.Engine
	gse    *gseParts
}

// local reports whether calls to role should use the in-process
// implementation: the role runs here and bus.force_remote is off.
func (w *wiring) local(role string) bool {
	return w.selected[role] && !w.b.Config().Bus.ForceRemote
}

// Manage returns the manage service for callers in this process.
func (w *wiring) Manage(ctx context.Context) (manage.Full, error) {
	if w.local("manage") {
		return w.manageImpl(ctx)
	}
	b, err := w.b.Bus(ctx)
	if err != nil {
		return nil, err
	}
	return manage.NewClient(b), nil
}

func (w *wiring) manageImpl(ctx context.Context) (*manageimpl.Service, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.manage != nil {
		return w.manage, nil
	}
	gdb, err := w.b.DB(ctx)
	if err != nil {
		return nil, err
	}
	box, err := w.b.Crypto()
	if err != nil {
		return nil, err
	}
	w.manage = manageimpl.New(gdb, logging.ForRole(w.b.Log(), "manage"), manageimpl.WithCrypto(box), gseHostsOption(w.b.Config()))
	return w.manage, nil
}

func (w *wiring) newManage() (roles.Service, error) {
	return funcService{start: func(ctx context.Context) error {
		svc, err := w.manageImpl(ctx)
		if err != nil {
			return err
		}
		if err := svc.Bootstrap(ctx); err != nil {
			return err
		}
		b, err := w.b.Bus(ctx)
		if err != nil {
			return err
		}
		return manage.Serve(b, svc)
	}}, nil
}

func (w *wiring) newGateway() (roles.Service, error) {
	var gw *gateway.Gateway
	return funcService{
		start: func(ctx context.Context) error {
			gdb, err := w.b.DB(ctx)
			if err != nil {
				return err
			}
			mounts, err := w.gatewayMounts(ctx)
			if err != nil {
				return err
			}
			limits, err := w.b.Cache()
			if err != nil {
				return err
			}
			gw = gateway.New(gateway.Deps{
				Config: w.b.Config(), DB: gdb, Server: w.srv, UI: w.ui, Mounts: mounts, Cache: limits,
				Log: logging.ForRole(w.b.Log(), "gateway"), Out: w.out,
			})
			return gw.Start(ctx)
		},
		stop: func(ctx context.Context) error {
			if gw == nil {
				return nil
			}
			return gw.Stop(ctx)
		},
	}, nil
}

// gatewayMounts are the module routes the gateway serves, each bound to the
// module's implementation or bus client.
func (w *wiring) gatewayMounts(ctx context.Context) ([]gateway.Mount, error) {
	exec, err := w.Execute(ctx)
	if err != nil {
		return nil, err
	}
	mgr, err := w.Manage(ctx)
	if err != nil {
		return nil, err
	}
	logs, err := w.Logs(ctx)
	if err != nil {
		return nil, err
	}
	logHandlers := &logsvr.Handlers{Svc: logs, Lookup: execute.LogLookup(exec), Log: logging.ForRole(w.b.Log(), "gateway")}
	return []gateway.Mount{
		func(web, _ *echo.Group) { logHandlers.Register(web) },
		func(_, v3 *echo.Group) { execute.RegisterV3(v3, exec, mgr) },
		func(web, _ *echo.Group) { execute.RegisterWeb(web, exec, mgr) },
		func(_, v3 *echo.Group) { manage.RegisterV3(v3, mgr) },
		func(web, _ *echo.Group) { manage.RegisterWeb(web, mgr) },
	}, nil
}
