package app

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executeimpl"
	"github.com/bkjob/bkjob/modules/gateway"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/modules/manage/manageimpl"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/cache"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/crypto"
	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/bkjob/bkjob/platform/lock"
	"github.com/bkjob/bkjob/platform/logging"
	"github.com/bkjob/bkjob/platform/roles"
	"gorm.io/gorm"
)

// wiring is the process being assembled. The role manager calls the
// provision functions of the selected roles (table.go) one at a time, in
// dependency order, and each sets its fields here; the start phase begins
// once every one is set, so they are plain fields read without a lock.
// It is the only place that chooses, for a caller of a module, between the
// module's implementation and its bus client.
type wiring struct {
	cfg      *config.Config
	log      *slog.Logger
	srv      *httpx.Server
	ui       fs.FS
	out      io.Writer
	logOut   io.Writer       // the log stream; the local agent's output joins it
	agentExe string          // binary the local agent runs; default this one
	selected map[string]bool // the resolved roles, hidden ones included

	// Plumbing, set by the hidden roles (plumbing.go).
	db     *gorm.DB
	bus    bus.Bus
	blob   blob.Store
	cache  cache.Cache
	locker lock.Locker
	box    *crypto.Box

	// Implementations of the roles this process runs.
	manage       *manageimpl.Service
	logs         logsvr.Store
	engine       *executeimpl.Engine
	gseTransport gse.Transport    // the gse role's router over its transports
	sshProbe     gse.SSHProbe     // the gse role's SSH login test, set at its provision
	process      *gateway.Process // what the service status page reports; Serve fills it
	toEngine     engineSink       // the gse role's sink when execute runs here
}

// local reports whether calls to role should use the in-process
// implementation: the role runs here and bus.force_remote is off.
func (w *wiring) local(role string) bool {
	return w.selected[role] && !w.cfg.Bus.ForceRemote
}

// notProvisioned is the error of a caller provisioned before a co-located
// role it calls: the role table lacks the Uses edge.
func notProvisioned(role string) error {
	return fmt.Errorf("%s runs in this process but is not provisioned yet: the role table needs a Uses edge to it", role)
}

// manageAPI is manage for callers in this process.
func (w *wiring) manageAPI() (manage.Full, error) {
	if !w.local("manage") {
		return manage.NewClient(w.bus), nil
	}
	if w.manage == nil {
		return nil, notProvisioned("manage")
	}
	return w.manage, nil
}

// logsAPI is logsvr for callers in this process.
func (w *wiring) logsAPI() (logsvr.Service, error) {
	if !w.local("logsvr") {
		return logsvr.NewClient(w.bus), nil
	}
	if w.logs == nil {
		return nil, notProvisioned("logsvr")
	}
	return w.logs, nil
}

// executeAPI is execute for callers in this process.
func (w *wiring) executeAPI() (execute.Service, error) {
	if !w.local("execute") {
		return execute.NewClient(w.bus), nil
	}
	if w.engine == nil {
		return nil, notProvisioned("execute")
	}
	return w.engine, nil
}

// transportAPI is the gse role's host transport for the engine in this process.
func (w *wiring) transportAPI() (gse.Transport, error) {
	if !w.local("gse") {
		return gse.NewClient(w.bus), nil
	}
	if w.gseTransport == nil {
		return nil, notProvisioned("gse")
	}
	return w.gseTransport, nil
}

// sshProbeAPI is the gse role's SSH login test for manage. manage is
// provisioned before gse (gse uses manage, so manage cannot use gse), so
// the choice is made at each call: the co-located gse role's probe once it
// is provisioned, else the bus.
func (w *wiring) sshProbeAPI(ctx context.Context, ep gse.SSHEndpoint) (gse.SSHProbeResult, error) {
	if w.local("gse") && w.sshProbe != nil {
		return w.sshProbe(ctx, ep)
	}
	return gse.BusSSHProbe(w.bus)(ctx, ep)
}

// provisionManage builds manage.
func (w *wiring) provisionManage(context.Context) (roles.Service, error) {
	w.manage = manageimpl.New(w.db, logging.ForRole(w.log, "manage"), manageimpl.WithCrypto(w.box), gseHostsOption(w.cfg),
		manageimpl.WithSSHProbe(w.sshProbeAPI))
	return manageRole{svc: w.manage, bus: w.bus}, nil
}

// manageRole bootstraps manage and serves it on the bus.
type manageRole struct {
	svc *manageimpl.Service
	bus bus.Bus
}

func (r manageRole) Start(ctx context.Context) error {
	if err := r.svc.Bootstrap(ctx); err != nil {
		return err
	}
	return manage.Serve(r.bus, r.svc)
}

func (manageRole) Stop(context.Context) error { return nil }
