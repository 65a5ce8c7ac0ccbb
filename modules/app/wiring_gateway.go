package app

import (
	"context"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/gateway"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/logging"
	"github.com/bkjob/bkjob/platform/roles"
	"github.com/labstack/echo/v4"
)

// provisionGateway builds the gateway over the module routes it serves;
// its start bootstraps the admin and mounts every route.
func (w *wiring) provisionGateway(context.Context) (roles.Service, error) {
	mounts, err := w.gatewayMounts()
	if err != nil {
		return nil, err
	}
	return gateway.New(gateway.Deps{
		Config: w.cfg, DB: w.db, Server: w.srv, UI: w.ui, Mounts: mounts, Cache: w.cache,
		Log: logging.ForRole(w.log, "gateway"), Out: w.out, Process: w.process,
	}), nil
}

// processRoles lists the roles of order (the process's, in start order)
// with their kinds, for the service status page.
func (w *wiring) processRoles(order []string) func() []gateway.RoleState {
	table := w.table()
	return func() []gateway.RoleState {
		out := make([]gateway.RoleState, 0, len(order))
		for _, name := range order {
			kind := "role"
			switch r := table[name]; {
			case r.Hidden:
				kind = "plumbing"
			case r.Pending:
				kind = "pending"
			}
			out = append(out, gateway.RoleState{Name: name, Kind: kind})
		}
		return out
	}
}

// gatewayMounts are the module routes the gateway serves, each bound to the
// module's implementation or bus client.
func (w *wiring) gatewayMounts() ([]gateway.Mount, error) {
	exec, err := w.executeAPI()
	if err != nil {
		return nil, err
	}
	mgr, err := w.manageAPI()
	if err != nil {
		return nil, err
	}
	logs, err := w.logsAPI()
	if err != nil {
		return nil, err
	}
	logHandlers := &logsvr.Handlers{Svc: logs, Lookup: execute.LogLookup(exec), Log: logging.ForRole(w.log, "gateway")}
	return []gateway.Mount{
		func(web, _ *echo.Group) { logHandlers.Register(web) },
		func(_, v3 *echo.Group) { execute.RegisterV3(v3, exec, mgr) },
		func(web, _ *echo.Group) { execute.RegisterWeb(web, exec, mgr) },
		func(_, v3 *echo.Group) { manage.RegisterV3(v3, mgr) },
		func(web, _ *echo.Group) { manage.RegisterWeb(web, mgr) },
	}, nil
}
