package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/agent"
	"github.com/bkjob/bkjob/gse/gse2"
	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/gse/router"
	"github.com/bkjob/bkjob/gse/ssh"
	"github.com/bkjob/bkjob/gse/wire"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/bkjob/bkjob/platform/logging"
	"github.com/bkjob/bkjob/platform/roles"
	"github.com/labstack/echo/v4"
)

// gseRole is the gse role: the agent transport (the hub, or the GSE 2.0
// adapter with gse.transport gse2: exactly one is set), the SSH transport,
// the router over both, and the built-in agent when it is on.
type gseRole struct {
	hub       *hub.Hub
	gse2      *gse2.Transport
	ssh       *ssh.Transport
	guard     *router.Guard
	sinkGuard *gse.SinkGuard
	transport gse.Transport
	agent     *localAgent // nil unless the hub enrols the built-in agent
	srv       *httpx.Server
	bus       bus.Bus

	// Start/Stop/Cleanup state; the role manager calls them in turn from one goroutine.
	stopAgent context.CancelFunc
	agentDone chan struct{}
	closed    bool
}

var _ roles.Cleaner = (*gseRole)(nil)

// provisionGSE builds the gse role's transports, delivering events to
// eventSink through the guards, and sets gseTransport.
func (w *wiring) provisionGSE(ctx context.Context) (roles.Service, error) {
	cfg := w.cfg
	log := logging.ForRole(w.log, "gse")
	mgr, err := w.manageAPI()
	if err != nil {
		return nil, err
	}
	// A batch the store keeps refusing is retried, then set aside and its
	// host failed, so it never blocks the events behind it (gse.SinkGuard).
	// The host it fails is ended on the router too: its route goes and its
	// task is stopped on the transport it runs on (rt is set below, before
	// any task is dispatched, so before any event comes).
	var rt *router.Router
	ended := func(ctx context.Context, taskID string, hostID int64) error { return rt.EndHost(ctx, taskID, hostID) }
	sinkGuard := gse.NewGuard(w.eventSink(), gse.GuardConfig{MaxAttempts: cfg.GSE.SinkMaxAttempts, Record: hub.NewSetAsideStore(w.db).Record, Ended: ended}, log)
	sink := sinkGuard.Sink
	g := &gseRole{sinkGuard: sinkGuard, srv: w.srv, bus: w.bus}
	// Each transport's events pass the router's guard: a host's events come
	// only from the transport its task went to.
	g.guard = router.NewGuard(log)
	var agentT gse.Transport
	switch cfg.GSE.Transport {
	case "gse2":
		g.gse2, err = w.newGSE2(g.guard.Sink(router.ViaAgent, sink), w.blob)
		agentT = g.gse2
	default:
		var local hub.LocalEnrolment
		g.hub, local, err = w.newHub(g.guard.Sink(router.ViaAgent, sink))
		agentT = g.hub
		if err == nil && local.Token != "" {
			g.agent, err = w.localAgent(local.Token, local.IP)
		}
	}
	if err != nil {
		return nil, err
	}
	// Agentless hosts: credentials come from manage, host keys from the
	// known_hosts file (new keys are recorded only with trust_on_first_use).
	g.ssh, err = ssh.New(ssh.ConfigFrom(cfg), ssh.Deps{ //nolint:contextcheck // the transport lives past provisioning: its own context, ended by Close
		Credentials: manageCredentials{mgr: mgr},
		KnownHosts:  ssh.NewFileKnownHosts(ssh.KnownHostsPath(cfg)),
		Blob:        w.blob,
		Sink:        g.guard.Sink(router.ViaSSH, sink),
		Logger:      log,
	})
	if err != nil {
		return nil, errors.Join(err, g.closeTransports(ctx))
	}
	rt = router.New(agentT, g.ssh, router.WithGuard(g.guard))
	g.transport = rt
	w.gseTransport = rt
	w.sshProbe = g.ssh.Probe
	return g, nil
}

// newHub builds the built-in agent hub (gse.transport builtin) and, when
// the built-in agent is on, its local enrolment.
func (w *wiring) newHub(sink gse.Sink) (*hub.Hub, hub.LocalEnrolment, error) {
	cfg := w.cfg
	hcfg := hub.ConfigFrom(cfg.GSE, w.blob)
	if cfg.GSE.LocalAgent.Enabled {
		// The built-in agent enrols with a token that exists only in this
		// process's memory and is no business token: the hub takes it only
		// from this host and only for the built-in agent's own identity:
		// its agent id read from its data dir now, cloud 0 and one address,
		// so whoever reads it cannot enrol any other host
		// (hub.LocalEnrolment).
		id, err := agent.LoadID(filepath.Join(cfg.DataDir, "agent"))
		if err != nil {
			return nil, hub.LocalEnrolment{}, fmt.Errorf("read the built-in agent's id: %w", err)
		}
		// The address is fixed here and handed to the agent (--ip), so the
		// token enrols the built-in agent at this one address only, also
		// when gse.local_agent.ip is left to default.
		ip := cfg.GSE.LocalAgent.IP
		if ip == "" {
			ip = agent.DefaultIP()
		}
		hcfg.Local = hub.LocalEnrolment{Token: randomHex(24), AgentID: id, IP: ip}
	}
	h, err := hub.New(hcfg, w.db, logging.ForRole(w.log, "gse"), sink)
	return h, hcfg.Local, err
}

// Start starts the hub (with gse2 no hub runs: agents have no endpoint to
// connect to), serves the transport on the bus and starts the built-in agent.
func (g *gseRole) Start(ctx context.Context) error {
	if g.hub != nil {
		if err := g.hub.Start(ctx); err != nil {
			return err
		}
		g.srv.Echo.GET(wire.Path, echo.WrapHandler(g.hub.Handler()))
	}
	registerGSEMetrics(g.srv, g)
	if err := gse.Serve(g.bus, g.transport); err != nil {
		return err
	}
	if err := gse.ServeSSHProbe(g.bus, g.ssh.Probe); err != nil {
		return err
	}
	if g.agent != nil {
		agentCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		g.stopAgent, g.agentDone = cancel, make(chan struct{})
		go func() {
			defer close(g.agentDone)
			g.agent.run(agentCtx)
		}()
	}
	return nil
}

// Stop stops the built-in agent, then the transports.
func (g *gseRole) Stop(ctx context.Context) error {
	if g.stopAgent != nil {
		g.stopAgent()
		<-g.agentDone
	}
	return g.closeTransports(ctx)
}

// Cleanup closes the transports of a role that was provisioned but never
// started; after Stop it does nothing.
func (g *gseRole) Cleanup(ctx context.Context) error { return g.closeTransports(ctx) }

// closeTransports shuts the agent transport and the SSH transport down,
// once. Closing the SSH transport kills the scripts it still runs: nothing
// would collect their results after this process.
func (g *gseRole) closeTransports(ctx context.Context) error {
	if g.closed {
		return nil
	}
	g.closed = true
	var agentErr, sshErr error
	switch {
	case g.hub != nil:
		agentErr = g.hub.Shutdown(ctx)
	case g.gse2 != nil:
		agentErr = g.gse2.Close(ctx)
	}
	if g.ssh != nil {
		sshErr = g.ssh.Close(ctx)
	}
	return errors.Join(agentErr, sshErr)
}

// localAgent is the supervisor of this host's built-in agent, a child
// process of serve (see localAgent), so a fresh install can run a script on
// its own host with no setup.
func (w *wiring) localAgent(token, ip string) (*localAgent, error) {
	cfg := w.cfg
	exe := w.agentExe
	if exe == "" {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find this binary to start the local agent: %w", err)
		}
		exe = self
	}
	// The agent runs in /, so its paths are absolute.
	dir, err := filepath.Abs(filepath.Join(cfg.DataDir, "agent"))
	if err != nil {
		return nil, fmt.Errorf("resolve local agent data dir: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create local agent data dir %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil { //nolint:gosec // G302: a directory needs x; 0700 is owner-only
		return nil, fmt.Errorf("chmod local agent data dir %s: %w", dir, err)
	}
	o := localAgentOptions{
		Exe: exe, HTTPAddr: w.srv.Addr(), Scheme: "http",
		IP: ip, DataDir: dir, MaxTasks: cfg.GSE.MaxTasksPerAgent,
		LogLevel: cfg.Log.Level, LogFormat: cfg.Log.Format,
	}
	if cfg.HTTP.TLSCertFile != "" {
		// The agent dials 127.0.0.1, pins this file (re-read on every dial,
		// so a SIGHUP rotation is followed) and verifies the certificate
		// under the name it carries (see certServerName).
		ca, err := filepath.Abs(cfg.HTTP.TLSCertFile)
		if err != nil {
			return nil, fmt.Errorf("resolve http.tls_cert_file: %w", err)
		}
		o.Scheme, o.CAFile = "https", ca
	}
	log := w.log.With("role", "gse", "component", "local-agent")
	return newLocalAgent(o, token, w.logOut, log, min(cfg.ShutdownTimeout, 10*time.Second)), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
