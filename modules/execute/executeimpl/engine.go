package executeimpl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/crypto"
	"github.com/bkjob/bkjob/platform/roles"
)

// Deps is what the engine needs. Blob is needed by push_config_file only
// (its contents are staged there for the transport); Hosts defaults to
// DBHosts over DB. Crypto seals sensitive script parameters at rest; every
// execute process sharing a database needs the same key.
type Deps struct {
	DB        *gorm.DB
	Bus       bus.Bus
	Transport gse.Transport
	Logs      logsvr.Service
	Manage    manage.Service
	// Scripts finds the stored script versions steps run (nil: steps
	// naming script_id or script_version_id are refused).
	Scripts manage.ScriptRunner
	Hosts   HostResolver
	Blob    blob.Store
	Crypto  *crypto.Box
	Config  config.Config
	Log     *slog.Logger
	Options Options
}

// Options tune the engine; zero fields take the defaults.
type Options struct {
	// ReconcileInterval is how often unfinished work is re-examined (lost
	// events, dead dispatchers, timeouts). Default 5s.
	ReconcileInterval time.Duration
	// DispatchLease is how long a claimed but unconfirmed dispatch is left to
	// its claimer before another process re-dispatches it. Default 60s.
	DispatchLease time.Duration
	// TimeoutGrace is added to a step's timeout before the engine stops
	// waiting for hosts that never reported. Default 300s, as bk-job.
	TimeoutGrace time.Duration
	// StopGrace is how long a terminated task may take to report its hosts
	// before the engine marks them terminated itself. Default 60s.
	StopGrace time.Duration
	// CallbackLookup resolves callback host names (tests); nil uses the
	// system resolver. Resolved addresses are checked when dialled.
	CallbackLookup func(ctx context.Context, host string) ([]netip.Addr, error)
	// LostCheckInterval is how often the engine asks the transport whether
	// it still holds a running task's unfinished hosts (a restarted gse role
	// holds nothing); lost hosts are dispatched again or failed. Default 30s.
	LostCheckInterval time.Duration
	// Now is the clock (tests).
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.ReconcileInterval <= 0 {
		o.ReconcileInterval = 5 * time.Second
	}
	if o.DispatchLease <= 0 {
		o.DispatchLease = 60 * time.Second
	}
	if o.TimeoutGrace <= 0 {
		o.TimeoutGrace = 300 * time.Second
	}
	if o.StopGrace <= 0 {
		o.StopGrace = 60 * time.Second
	}
	if o.LostCheckInterval <= 0 {
		o.LostCheckInterval = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Event topics and the subscriber group of every execute process.
const (
	topicJob  = "execute.job"
	topicStep = "execute.step"
	group     = "execute"
)

var _ execute.Service = (*Engine)(nil)

// Engine implements execute.Service and runs the state machine.
type Engine struct {
	db      *gorm.DB
	st      store
	bus     bus.Bus
	tr      gse.Transport
	logs    logsvr.Service
	mgr     manage.Service
	scripts manage.ScriptRunner
	hosts   HostResolver
	blob    blob.Store
	box     *crypto.Box
	cfg     config.Config
	log     *slog.Logger
	opts    Options
	cb      *callbacks
	steps   *stepCache
	views   *viewCache // host rows of finished steps (the task page's pages)
	lost    *lostChecks

	mu      sync.Mutex
	running bool
	subs    []bus.Subscription
	cancel  context.CancelFunc
	loops   sync.WaitGroup
	work    sync.WaitGroup // sink calls and event handlers in flight
}

var (
	_ execute.Service = (*Engine)(nil)
	_ roles.Service   = (*Engine)(nil)
)

// errStopped is returned by the sink and handlers of a stopped engine, so
// the transport and the bus keep their events for the next one.
var errStopped = errors.New("execute engine is not running")

// New checks deps and builds an engine; Start makes it consume events.
func New(deps Deps) (*Engine, error) {
	switch {
	case deps.DB == nil:
		return nil, errors.New("execute engine: DB is required")
	case deps.Bus == nil:
		return nil, errors.New("execute engine: Bus is required")
	case deps.Transport == nil:
		return nil, errors.New("execute engine: Transport is required")
	case deps.Logs == nil:
		return nil, errors.New("execute engine: Logs is required")
	case deps.Manage == nil:
		return nil, errors.New("execute engine: Manage is required")
	case deps.Crypto == nil:
		return nil, errors.New("execute engine: Crypto is required (it seals sensitive script parameters)")
	}
	if deps.Hosts == nil {
		deps.Hosts = &DBHosts{DB: deps.DB}
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	opts := deps.Options.withDefaults()
	cb, err := newCallbacks(deps.Config.API, opts.CallbackLookup)
	if err != nil {
		return nil, fmt.Errorf("execute engine: %w", err)
	}
	return &Engine{
		db:      deps.DB,
		st:      &gormStore{db: deps.DB},
		bus:     deps.Bus,
		tr:      deps.Transport,
		logs:    deps.Logs,
		mgr:     deps.Manage,
		scripts: deps.Scripts,
		hosts:   deps.Hosts,
		blob:    deps.Blob,
		box:     deps.Crypto,
		cfg:     deps.Config,
		log:     deps.Log,
		opts:    opts,
		cb:      cb,
		steps:   newStepCache(),
		views:   newViewCache(),
		lost:    newLostChecks(),
	}, nil
}

// Start subscribes to the engine's events, resumes every unfinished task
// instance and starts the reconcile loop.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.running {
		return nil
	}
	jobSub, err := bus.Subscribe(e.bus, topicJob, group, guard(e, e.onJobEvent))
	if err != nil {
		return fmt.Errorf("subscribe %s: %w", topicJob, err)
	}
	stepSub, err := bus.Subscribe(e.bus, topicStep, group, guard(e, e.onStepEvent))
	if err != nil {
		_ = jobSub.Unsubscribe()
		return fmt.Errorf("subscribe %s: %w", topicStep, err)
	}
	e.subs = []bus.Subscription{jobSub, stepSub}
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.cancel = cancel
	e.running = true
	e.loops.Add(2)
	go e.reconcileLoop(loopCtx)
	go e.callbackLoop(loopCtx)
	e.log.Info("execute engine started")
	return nil
}

// Stop stops consuming events and waits for the work in flight. Hosts still
// running keep running: a later Start re-attaches to them.
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	if !e.running {
		e.mu.Unlock()
		return nil
	}
	e.running = false
	subs := e.subs
	e.subs = nil
	e.cancel()
	e.mu.Unlock()
	var errsOut []error
	for _, s := range subs {
		if err := s.Unsubscribe(); err != nil {
			errsOut = append(errsOut, err)
		}
	}
	done := make(chan struct{})
	go func() {
		e.loops.Wait()
		e.work.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		errsOut = append(errsOut, fmt.Errorf("stop execute engine: %w", ctx.Err()))
	}
	e.log.Info("execute engine stopped")
	return errors.Join(errsOut...)
}

// enter registers a unit of work; false when the engine is stopped.
func (e *Engine) enter() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.running {
		return false
	}
	e.work.Add(1)
	return true
}

// guard wraps an event handler so a stopped engine refuses (redelivers) it.
func guard[E any](e *Engine, fn func(context.Context, E) error) func(context.Context, E) error {
	return func(ctx context.Context, ev E) error {
		if !e.enter() {
			return errStopped
		}
		defer e.work.Done()
		return fn(ctx, ev)
	}
}

func (e *Engine) nowMS() int64 { return e.opts.Now().UnixMilli() }
