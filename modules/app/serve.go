package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/bkjob/bkjob/frontend"
	"github.com/bkjob/bkjob/modules/gateway"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/logging"
	"github.com/bkjob/bkjob/platform/roles"
)

// Serve runs the configured roles until ctx ends: it provisions every
// selected role (and the plumbing they depend on) in dependency order,
// then starts them in that order; at the end it stops them in reverse
// within shutdown_timeout and closes the plumbing.
func Serve(ctx context.Context, cfg *config.Config, stdout, stderr io.Writer) error {
	logOut := &lockedWriter{w: stderr}
	log, err := logging.New(logOut, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return &config.KeyError{Key: "log", Reason: err.Error()}
	}
	if err := cfg.EnsureDataDir(); err != nil {
		return err
	}
	secureDataDir(cfg.DataDir, log)
	w, mgr, err := newWiring(cfg, log, stdout, logOut)
	if err != nil {
		return err
	}
	w.srv.MountMetrics()
	// Listen first: the built-in agent, built with the gse role, dials the
	// bound address (the port may be 0).
	if err := w.srv.Listen(); err != nil {
		return err
	}
	log.Info("starting", "roles", strings.Join(mgr.Order(), ","), "data_dir", cfg.DataDir, "http", w.srv.Addr())

	serveErr := make(chan error, 1)
	startErr := mgr.Provision(ctx)
	if startErr == nil {
		health := newBackendHealth(w.backendChecks(), log.With("component", "health"))
		healthCtx, stopHealth := context.WithCancel(context.WithoutCancel(ctx))
		defer stopHealth()
		go health.run(healthCtx)
		w.srv.MountHealth(mgr.NotReady, health.Down)
		w.process.BackendsDown = health.Down
		startErr = mgr.StartAll(ctx)
	}
	if startErr == nil {
		registerBackendMetrics(w.srv, w.db, w.bus)
		go func() { serveErr <- w.srv.Serve() }()
		log.Info("ready", "url", w.srv.URL())
		select {
		case <-ctx.Done():
			log.Info("shutting down", "reason", context.Cause(ctx))
		case err := <-serveErr:
			startErr = err
		case err := <-mgr.Failed():
			log.Error("shutting down: a role failed", "err", err)
			startErr = err
		}
	}
	// HTTP and the roles each get the whole shutdown_timeout: a slow HTTP
	// drain must not leave the roles (which flush logs and hand work back)
	// an expired context.
	httpCtx, cancelHTTP := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancelHTTP()
	httpErr := w.srv.Shutdown(httpCtx)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	mgr.StopAll(stopCtx)
	if startErr != nil {
		return startErr
	}
	if httpErr != nil && !errors.Is(httpErr, context.Canceled) {
		return fmt.Errorf("stop http: %w", httpErr)
	}
	log.Info("stopped")
	return nil
}

// newWiring resolves cfg.Roles against the role table and builds the
// HTTP server the roles mount on; nothing is provisioned yet.
func newWiring(cfg *config.Config, log *slog.Logger, stdout, logOut io.Writer) (*wiring, *roles.Manager, error) {
	w := &wiring{cfg: cfg, log: log, out: stdout, logOut: logOut, selected: map[string]bool{}}
	mgr, err := roles.NewManager(w.table(), cfg.Roles, log)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range mgr.Order() {
		w.selected[r] = true
	}
	w.process = &gateway.Process{StartedAt: time.Now(), Roles: w.processRoles(mgr.Order()), NotReady: mgr.NotReady}
	if w.srv, err = newHTTPServer(cfg, log); err != nil {
		return nil, nil, err
	}
	if dist, ok := frontend.Dist(); ok {
		w.ui = dist
	}
	return w, mgr, nil
}

// Migrate applies the schema and exits.
func Migrate(ctx context.Context, cfg *config.Config, stderr io.Writer) error {
	log, err := logging.New(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return &config.KeyError{Key: "log", Reason: err.Error()}
	}
	if err := cfg.EnsureDataDir(); err != nil {
		return err
	}
	secureDataDir(cfg.DataDir, log)
	gdb, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	if err := closeGorm(gdb); err != nil {
		log.Warn("close database", "err", err)
	}
	log.Info("schema is up to date", "driver", cfg.DB.Driver)
	return nil
}
