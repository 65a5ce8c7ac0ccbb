package ssh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/errs"
)

// Deps are the transport's collaborators.
type Deps struct {
	Credentials CredentialSource
	KnownHosts  KnownHosts
	// Blob serves file sources that have a BlobKey; nil fails such sources.
	Blob   blob.Store
	Sink   gse.Sink
	Logger *slog.Logger
}

// Transport drives agentless hosts over SSH.
type Transport struct {
	cfg   Config
	deps  Deps
	log   *slog.Logger
	pool  *pool
	slots chan struct{}

	base       context.Context
	cancelBase context.CancelCauseFunc
	sinkCtx    context.Context
	cancelSink context.CancelFunc
	wg         sync.WaitGroup

	mu   sync.Mutex
	runs map[string]map[int64]context.CancelCauseFunc
}

var _ gse.Transport = (*Transport)(nil)

// Why a host's work was cut short.
var (
	errStopped  = errors.New("stopped on request")
	errTimedOut = errors.New("timed out")
	errClosed   = errors.New("ssh transport closed")
)

// New returns a transport; Close releases its connections.
func New(cfg Config, deps Deps) (*Transport, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	switch {
	case deps.Credentials == nil:
		return nil, fmt.Errorf("new ssh transport: credential source is required")
	case deps.KnownHosts == nil:
		return nil, fmt.Errorf("new ssh transport: known hosts store is required")
	case deps.Sink == nil:
		return nil, fmt.Errorf("new ssh transport: sink is required")
	}
	log := deps.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("transport", "ssh")
	base, cancel := context.WithCancelCause(context.Background())
	sinkCtx, cancelSink := context.WithCancel(context.Background())
	return &Transport{
		cfg: cfg, deps: deps, log: log,
		pool:       newPool(base, cfg, deps.Credentials, deps.KnownHosts, log),
		slots:      make(chan struct{}, cfg.MaxConcurrent),
		base:       base,
		cancelBase: cancel,
		sinkCtx:    sinkCtx,
		cancelSink: cancelSink,
		runs:       make(map[string]map[int64]context.CancelCauseFunc),
	}, nil
}

// Close stops every running host (killing remote scripts), waits for them
// within ctx and closes the connections.
func (t *Transport) Close(ctx context.Context) error {
	t.cancelBase(errClosed)
	done := make(chan struct{})
	go func() { t.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("close ssh transport: %w", ctx.Err())
	}
	t.cancelSink()
	t.pool.close()
	return err
}

// start registers taskID's hosts and runs work for each in its own goroutine.
func (t *Transport) start(taskID string, hosts []gse.Host, work func(ctx context.Context, h gse.Host)) error {
	if t.base.Err() != nil {
		return errs.ErrUnavailable.Withf("ssh transport is closed")
	}
	seen := make(map[int64]bool, len(hosts))
	for _, h := range hosts {
		if seen[h.ID] {
			return errs.Invalid("hosts", "host %d is listed twice", h.ID)
		}
		seen[h.ID] = true
	}
	if len(hosts) == 0 {
		return nil
	}
	t.mu.Lock()
	if _, dup := t.runs[taskID]; dup {
		t.mu.Unlock()
		return errs.ErrConflict.Withf("task %s is already running", taskID)
	}
	cancels := make(map[int64]context.CancelCauseFunc, len(hosts))
	ctxs := make([]context.Context, len(hosts))
	for i, h := range hosts {
		ctx, cancel := context.WithCancelCause(t.base)
		ctxs[i] = ctx
		cancels[h.ID] = cancel
	}
	t.runs[taskID] = cancels
	t.wg.Add(len(hosts))
	t.mu.Unlock()

	for i, h := range hosts {
		go func() {
			defer t.wg.Done()
			defer t.finishHost(taskID, h.ID)
			work(ctxs[i], h)
		}()
	}
	return nil
}

func (t *Transport) finishHost(taskID string, hostID int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	hosts := t.runs[taskID]
	if cancel, ok := hosts[hostID]; ok {
		cancel(nil)
		delete(hosts, hostID)
	}
	if len(hosts) == 0 {
		delete(t.runs, taskID)
	}
}

// slot waits for one of the MaxConcurrent host slots.
func (t *Transport) slot(ctx context.Context) (func(), error) {
	select {
	case t.slots <- struct{}{}:
		return func() { <-t.slots }, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// Stop implements gse.Transport: running scripts get SIGTERM, then SIGKILL
// after KillGrace; hosts still queued end as terminated. Unknown or
// finished tasks are not an error.
func (t *Transport) Stop(_ context.Context, taskID string, hostIDs []int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	hosts := t.runs[taskID]
	if len(hostIDs) == 0 {
		for _, cancel := range hosts {
			cancel(errStopped)
		}
		return nil
	}
	for _, id := range hostIDs {
		if cancel, ok := hosts[id]; ok {
			cancel(errStopped)
		}
	}
	return nil
}

// AgentStatus implements gse.Transport: a host is alive when an SSH
// connection to it can be made (or is already open).
func (t *Transport) AgentStatus(ctx context.Context, hosts []gse.Host) ([]gse.AgentState, error) {
	out := make([]gse.AgentState, len(hosts))
	for i, h := range hosts {
		out[i] = gse.AgentState{HostID: h.ID, AgentID: h.AgentID}
	}
	eachSSHHost(ctx, hosts, func(i int, h gse.Host) {
		c, err := t.pool.acquire(ctx, h.SSH)
		if err != nil {
			// A refused host key is a security event the operator must
			// see; other failures are routine probes of hosts that are down.
			var de *dialError
			if errors.As(err, &de) && de.kind == dialHostKey {
				t.log.Warn("ssh host key refused", "host_id", h.ID, "addr", h.SSH.Addr, "err", err)
			} else {
				t.log.Debug("ssh agent status", "host_id", h.ID, "addr", h.SSH.Addr, "err", err)
			}
			return
		}
		t.pool.release(c)
		out[i].Alive = true
		out[i].Seen = time.Now()
	})
	return out, ctx.Err()
}

// deliver hands events to the sink, retrying with backoff until it takes
// them or the transport is closed.
func (t *Transport) deliver(events ...gse.Event) {
	wait := t.cfg.SinkRetry
	for {
		err := t.deps.Sink(t.sinkCtx, events)
		if err == nil {
			return
		}
		if t.sinkCtx.Err() != nil {
			t.log.Warn("ssh events dropped at close", "task_id", events[0].TaskID, "host_id", events[0].HostID, "err", err)
			return
		}
		t.log.Warn("ssh sink refused events", "task_id", events[0].TaskID, "host_id", events[0].HostID, "err", err)
		select {
		case <-time.After(wait):
		case <-t.sinkCtx.Done():
		}
		wait = min(wait*2, maxSinkRetry)
	}
}

func (t *Transport) deliverResult(taskID string, hostID int64, r gse.HostResult) {
	t.deliver(gse.Event{Kind: gse.EventResult, TaskID: taskID, HostID: hostID, Result: &r})
}
