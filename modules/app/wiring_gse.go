package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/agent"
	"github.com/bkjob/bkjob/gse/gse2"
	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/gse/router"
	"github.com/bkjob/bkjob/gse/ssh"
	"github.com/bkjob/bkjob/gse/wire"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/logging"
	"github.com/bkjob/bkjob/platform/roles"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// errEngineNotUp makes the hub keep events until this process's engine runs.
var errEngineNotUp = errs.ErrUnavailable.Withf("execute engine not started yet")

// Transport returns the host transport for the engine in this process.
func (w *wiring) Transport(ctx context.Context) (gse.Transport, error) {
	if w.local("gse") {
		return w.gseImpl(ctx)
	}
	b, err := w.b.Bus(ctx)
	if err != nil {
		return nil, err
	}
	return gse.NewClient(b), nil
}

// eventSink is where the hub delivers events: this process's engine when
// execute runs here, otherwise whichever execute process serves the bus.
func (w *wiring) eventSink(ctx context.Context) (gse.Sink, error) {
	if w.local("execute") {
		return func(ctx context.Context, events []gse.Event) error {
			w.mu.Lock()
			eng := w.engine
			w.mu.Unlock()
			if eng == nil {
				return errEngineNotUp
			}
			return eng.Sink()(ctx, events)
		}, nil
	}
	b, err := w.b.Bus(ctx)
	if err != nil {
		return nil, err
	}
	return gse.BusSink(b), nil
}

// gseParts is the gse role's state: the agent transport (the hub, or the
// GSE 2.0 adapter with gse.transport gse2: exactly one is set), the SSH
// transport and the router over both.
type gseParts struct {
	hub       *hub.Hub
	gse2      *gse2.Transport
	ssh       *ssh.Transport
	guard     *router.Guard
	transport gse.Transport
	localTok  string
	localIP   string // the address the built-in agent registers under
}

func (w *wiring) gseImpl(ctx context.Context) (gse.Transport, error) {
	p, err := w.gseState(ctx)
	if err != nil {
		return nil, err
	}
	return p.transport, nil
}

func (w *wiring) gseState(ctx context.Context) (*gseParts, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gse != nil {
		return w.gse, nil
	}
	cfg := w.b.Config()
	gdb, err := w.b.DB(ctx)
	if err != nil {
		return nil, err
	}
	store, err := w.b.Blob()
	if err != nil {
		return nil, err
	}
	sink, err := w.eventSink(ctx)
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
	guard := gse.NewGuard(sink, gse.GuardConfig{MaxAttempts: cfg.GSE.SinkMaxAttempts, Record: hub.NewSetAsideStore(gdb).Record, Ended: ended},
		logging.ForRole(w.b.Log(), "gse"))
	sink = guard.Sink
	p := &gseParts{}
	// Each transport's events pass the router's guard: a host's events come
	// only from the transport its task went to.
	routeGuard := router.NewGuard(logging.ForRole(w.b.Log(), "gse"))
	var agentT gse.Transport
	switch cfg.GSE.Transport {
	case "gse2":
		p.gse2, err = w.newGSE2(routeGuard.Sink(router.ViaAgent, sink), store)
		agentT = p.gse2
	default:
		p.hub, err = w.newHub(gdb, store, routeGuard.Sink(router.ViaAgent, sink), p)
		agentT = p.hub
	}
	if err != nil {
		return nil, err
	}
	// Agentless hosts: credentials come from manage, host keys from the
	// known_hosts file (new keys are recorded only with trust_on_first_use).
	sshT, err := ssh.New(ssh.ConfigFrom(cfg), ssh.Deps{
		Credentials: manageCredentials{w: w},
		KnownHosts:  ssh.NewFileKnownHosts(ssh.KnownHostsPath(cfg)),
		Blob:        store,
		Sink:        routeGuard.Sink(router.ViaSSH, sink),
		Logger:      logging.ForRole(w.b.Log(), "gse"),
	})
	if err != nil {
		return nil, err
	}
	p.ssh, p.guard = sshT, routeGuard
	rt = router.New(agentT, sshT, router.WithGuard(routeGuard))
	p.transport = rt
	if w.srv != nil {
		w.srv.CounterFunc("bkjob_gse_events_set_aside_total", "Events the store refused gse.sink_max_attempts times: set aside, their hosts failed.",
			func() float64 { return float64(guard.SetAside()) })
	}
	w.gse = p
	return p, nil
}

// newHub builds the built-in agent hub (gse.transport builtin) and, when
// the built-in agent is on, its local enrolment in p.
func (w *wiring) newHub(gdb *gorm.DB, store blob.Store, sink gse.Sink, p *gseParts) (*hub.Hub, error) {
	cfg := w.b.Config()
	hcfg := hub.ConfigFrom(cfg.GSE, store)
	if cfg.GSE.LocalAgent.Enabled {
		// The built-in agent enrols with a token that exists only in this
		// process's memory and is no business token: the hub takes it only
		// from this host and only for the built-in agent's own identity:
		// its agent id read from its data dir now, cloud 0 and one address,
		// so whoever reads it cannot enrol any other host
		// (hub.LocalEnrolment).
		id, err := agent.LoadID(filepath.Join(cfg.DataDir, "agent"))
		if err != nil {
			return nil, fmt.Errorf("read the built-in agent's id: %w", err)
		}
		p.localTok = randomHex(24)
		// The address is fixed here and handed to the agent (--ip), so the
		// token enrols the built-in agent at this one address only, also
		// when gse.local_agent.ip is left to default.
		p.localIP = cfg.GSE.LocalAgent.IP
		if p.localIP == "" {
			p.localIP = agent.DefaultIP()
		}
		hcfg.Local = hub.LocalEnrolment{Token: p.localTok, AgentID: id, IP: p.localIP}
	}
	return hub.New(hcfg, gdb, logging.ForRole(w.b.Log(), "gse"), sink)
}

func (w *wiring) newGSE() (roles.Service, error) {
	var (
		cancel context.CancelFunc
		wg     sync.WaitGroup
	)
	return funcService{
		start: func(ctx context.Context) error {
			p, err := w.gseState(ctx)
			if err != nil {
				return err
			}
			// With gse2 no hub runs: agents have no endpoint to connect to.
			if p.hub != nil {
				if err := p.hub.Start(ctx); err != nil {
					return err
				}
				w.srv.Echo.GET(wire.Path, echo.WrapHandler(p.hub.Handler()))
			}
			registerGSEMetrics(w.srv, p)
			b, err := w.b.Bus(ctx)
			if err != nil {
				return err
			}
			if err := gse.Serve(b, p.transport); err != nil {
				return err
			}
			if p.localTok != "" {
				la, err := w.localAgent(p.localTok, p.localIP)
				if err != nil {
					return err
				}
				var agentCtx context.Context
				agentCtx, cancel = context.WithCancel(context.WithoutCancel(ctx))
				wg.Add(1)
				go func() {
					defer wg.Done()
					la.run(agentCtx)
				}()
			}
			return nil
		},
		stop: func(ctx context.Context) error {
			if cancel != nil {
				cancel()
				wg.Wait()
			}
			w.mu.Lock()
			p := w.gse
			w.mu.Unlock()
			if p == nil {
				return nil
			}
			// Closing the SSH transport kills the scripts it still runs:
			// nothing would collect their results after this process.
			var agentErr error
			if p.hub != nil {
				agentErr = p.hub.Shutdown(ctx)
			} else {
				agentErr = p.gse2.Close(ctx)
			}
			return errors.Join(agentErr, p.ssh.Close(ctx))
		},
	}, nil
}

// localAgent is the supervisor of this host's built-in agent, a child
// process of serve (see localAgent), so a fresh install can run a script on
// its own host with no setup.
func (w *wiring) localAgent(token, ip string) (*localAgent, error) {
	cfg := w.b.Config()
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
	if err := os.Chmod(dir, 0o700); err != nil {
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
	log := w.b.Log().With("role", "gse", "component", "local-agent")
	return newLocalAgent(o, token, w.logOut, log, min(cfg.ShutdownTimeout, 10*time.Second)), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
