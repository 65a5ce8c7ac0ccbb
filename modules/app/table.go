package app

import (
	"context"

	"github.com/bkjob/bkjob/platform/roles"
)

// RoleGraph is the role table for display (`bkjob roles`); its services
// are never built.
func RoleGraph() roles.Table { return (&wiring{}).table() }

// table is the one literal role graph. Deps are the plumbing a role opens
// (hidden roles, built only when a selected role needs them). Business
// roles never depend on each other, so any split across hosts is valid;
// Uses says which roles one calls: when co-located they are provisioned
// first and the caller gets their implementation, otherwise their bus
// client (see wiring.local). `all` lists the business roles.
//
// One call runs against the edges: the gse role delivers host events to
// execute, whose engine needs the gse role's transport. That edge is the
// engine sink (engine_sink.go), which execute's provision plugs in.
func (w *wiring) table() roles.Table {
	return roles.Table{
		"all": {Group: true, Summary: "every role in one process",
			Deps: []string{"manage", "logsvr", "gse", "execute", "crontab", "backup", "analysis", "filegateway", "fileworker", "gateway"}},
		"gateway": {Summary: "HTTP front door: sessions, API apps, web API, OpenAPI v3, the UI",
			Deps: []string{"db", "cache", "bus"}, Uses: []string{"execute", "manage", "logsvr"}, Provision: w.provisionGateway},
		"manage": {Summary: "businesses and execution accounts",
			Deps: []string{"db", "crypto", "bus"}, Provision: w.provisionManage},
		"execute": {Summary: "the task engine: fast script, fast file, push config, operations",
			Deps: []string{"db", "bus", "blob", "crypto"}, Uses: []string{"manage", "logsvr", "gse"}, Provision: w.provisionExecute},
		"logsvr": {Summary: "execution logs: embedded store or MongoDB",
			Deps: []string{"bus"}, Provision: w.provisionLogsvr},
		"gse": {Summary: "the hub built-in agents connect to; SSH and GSE 2.0 transports",
			Deps: []string{"db", "blob", "bus"}, Uses: []string{"manage"}, Provision: w.provisionGSE},
		"crontab":     pending("scheduled jobs"),
		"backup":      pending("import/export and archive"),
		"analysis":    pending("statistics"),
		"filegateway": pending("third-party file sources"),
		"fileworker":  pending("file source workers"),

		"db":     {Hidden: true, Summary: "relational store (db.driver), migrated when opened", Provision: w.provisionDB},
		"bus":    {Hidden: true, Summary: "calls and events between roles (bus.backend)", Provision: w.provisionBus},
		"blob":   {Hidden: true, Summary: "file store (blob.dir)", Provision: w.provisionBlob},
		"cache":  {Hidden: true, Summary: "cache (cache.backend)", Provision: w.provisionCache},
		"lock":   {Hidden: true, Summary: "distributed lock (lock.backend); no role needs it yet", Provision: w.provisionLock},
		"crypto": {Hidden: true, Summary: "secret box sealing credentials and sensitive parameters", Provision: w.provisionCrypto},
	}
}

func pending(summary string) roles.Role {
	return roles.Role{Summary: summary, Pending: true, Provision: func(context.Context) (roles.Service, error) { return idle{}, nil }}
}

// idle is the service of a role whose logic is not built yet: it starts and
// stops cleanly, and `bkjob roles` says "not implemented yet".
type idle struct{}

func (idle) Start(context.Context) error { return nil }
func (idle) Stop(context.Context) error  { return nil }
