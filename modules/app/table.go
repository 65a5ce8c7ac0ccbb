package app

import (
	"context"

	"github.com/bkjob/bkjob/platform/roles"
)

// RoleGraph is the role table for display (`bkjob roles`); its services
// are never built.
func RoleGraph() roles.Table { return (&wiring{}).table() }

// table is the one literal role graph. Business roles carry no dependencies
// on each other, so any split across hosts is valid: a role that calls
// another gets its implementation when co-located and a bus client when
// not (see wiring). `all` lists them in start order.
func (w *wiring) table() roles.Table {
	return roles.Table{
		"all": {Group: true, Summary: "every role in one process",
			Deps: []string{"manage", "logsvr", "gse", "execute", "crontab", "backup", "analysis", "filegateway", "fileworker", "gateway"}},
		"gateway":     {Summary: "HTTP front door: sessions, API apps, web API, OpenAPI v3, the UI", New: w.newGateway},
		"manage":      {Summary: "businesses and execution accounts", New: w.newManage},
		"execute":     {Summary: "the task engine: fast script, fast file, push config, operations", New: w.newExecute},
		"logsvr":      {Summary: "execution logs: embedded store or MongoDB", New: w.newLogsvr},
		"gse":         {Summary: "the hub built-in agents connect to; SSH and GSE 2.0 transports", New: w.newGSE},
		"crontab":     pending("scheduled jobs"),
		"backup":      pending("import/export and archive"),
		"analysis":    pending("statistics"),
		"filegateway": pending("third-party file sources"),
		"fileworker":  pending("file source workers"),
	}
}

func pending(summary string) roles.Role {
	return roles.Role{Summary: summary, Pending: true, New: func() (roles.Service, error) { return idle{}, nil }}
}

// idle is the service of a role whose logic is not built yet: it starts and
// stops cleanly, and `bkjob roles` says "not implemented yet".
type idle struct{}

func (idle) Start(context.Context) error { return nil }
func (idle) Stop(context.Context) error  { return nil }

// funcService adapts start/stop functions to roles.Service.
type funcService struct {
	start func(context.Context) error
	stop  func(context.Context) error
}

func (f funcService) Start(ctx context.Context) error {
	if f.start == nil {
		return nil
	}
	return f.start(ctx)
}

func (f funcService) Stop(ctx context.Context) error {
	if f.stop == nil {
		return nil
	}
	return f.stop(ctx)
}
