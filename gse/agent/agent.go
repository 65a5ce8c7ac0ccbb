package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

// sourceReaders bounds the file reads this agent serves to other agents.
const sourceReaders = 16

// agent is one running agent.
type agent struct {
	opts   Options
	log    *slog.Logger
	id     string
	url    string
	creds  *credentials
	bootID string
	ctx    context.Context // Run's: runners stop when it ends

	sem     chan struct{} // running tasks
	srcSem  chan struct{} // served source reads
	wg      sync.WaitGroup
	uploads wire.Limiters
	nextReq atomic.Uint64

	mu     sync.Mutex
	tasks  map[string]*task
	sess   *session
	sessCh chan struct{} // closed when sess changes
	wake   chan struct{}
}

// Run runs an agent until ctx ends: it dials the server, reconnecting with
// backoff when the connection drops, and serves tasks. Running scripts are
// killed when ctx ends; their hosts are reported as agent errors by the next
// start with the same data dir. Run returns nil after ctx ends, and
// ErrUnauthorized (wrapped) when the server refuses its token or credential.
func Run(ctx context.Context, opts Options, log *slog.Logger) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return err
	}
	a, err := newAgent(ctx, opts, log)
	if err != nil {
		return err
	}
	defer a.wg.Wait()
	if !a.creds.usable() {
		return errNoCredentials
	}
	if err := a.restore(); err != nil {
		return err
	}
	a.log.Info("agent starting", "server", a.url, "agent_id", a.id, "ip", opts.IP, "cloud_id", opts.CloudID)
	backoff := opts.ReconnectMin
	for {
		began := time.Now()
		err := a.connect(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrUnauthorized) {
			a.log.Error("agent refused by the server", "server", a.url, "err", err)
			return err
		}
		if time.Since(began) > opts.ReconnectMax {
			backoff = opts.ReconnectMin
		}
		wait := backoff/2 + rand.N(backoff/2+1) //nolint:gosec // G404: reconnect jitter, not a secret
		a.log.Warn("agent disconnected", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		backoff = min(backoff*2, opts.ReconnectMax)
	}
}

func newAgent(ctx context.Context, opts Options, log *slog.Logger) (*agent, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	url, err := dialURL(opts.Server)
	if err != nil {
		return nil, err
	}
	// Checked here so a wrong --ca-file stops the agent at once; it is
	// read again on every dial (see connect).
	if _, err := trustConfig(opts.CAFile, opts.ServerName); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", opts.DataDir, err)
	}
	id, err := loadAgentID(opts.DataDir)
	if err != nil {
		return nil, err
	}
	creds, err := loadCredentials(opts.DataDir, opts.Token)
	if err != nil {
		return nil, err
	}
	return &agent{
		opts:   opts,
		log:    log.With("agent_id", id),
		id:     id,
		url:    url,
		creds:  creds,
		bootID: bootID(),
		ctx:    ctx,
		sem:    make(chan struct{}, opts.MaxTasks),
		srcSem: make(chan struct{}, sourceReaders),
		tasks:  map[string]*task{},
		sessCh: make(chan struct{}),
		wake:   make(chan struct{}, 1),
	}, nil
}

// restore loads the task spool. A task without a result was cut off when
// the previous agent process died: what is left of its process group is
// killed and the host is reported as an agent error.
func (a *agent) restore() error {
	found, err := loadSpool(a.opts.DataDir, func(dir, moved string, err error) {
		a.log.Error("task spool unreadable, set aside in quarantine", "dir", dir, "quarantined_to", moved, "err", err)
	})
	if err != nil {
		return err
	}
	for _, s := range found {
		t := &task{id: s.meta.TaskID, kind: s.meta.Kind, dir: s.dir, out: s.out, size: s.size, stop: make(chan struct{})}
		if s.result == nil {
			if s.meta.PGID > 0 && s.meta.BootID != "" && s.meta.BootID == a.bootID {
				killLeftovers(s.meta.PGID, s.meta.PGStart)
			}
			res := gse.HostResult{
				Status:    gse.HostStatusAgentError,
				ErrorCode: gse.ErrorCodeOther,
				ErrorMsg:  "the agent stopped while the task was running; the task was killed",
				Start:     s.meta.Created,
				End:       time.Now(),
				Offset:    s.size,
			}
			if err := writeJSON(filepath.Join(s.dir, resultFile), res); err != nil {
				a.log.Error("persist task result", "task", t.id, "err", err)
			}
			s.result = &res
			a.log.Warn("task cut off by an agent restart", "task", t.id)
		}
		t.result = s.result
		a.tasks[t.id] = t
	}
	return nil
}

// accept takes a run_script or run_file message: the task is spooled,
// acknowledged as accepted, and queued. A task already held is only
// acknowledged again.
func (a *agent) accept(s *session, m *wire.Message) {
	kind := kindScript
	if m.Type == wire.TypeRunFile {
		kind = kindFile
	}
	if m.TaskID == "" || (kind == kindScript && m.Script == nil) || (kind == kindFile && m.File == nil) {
		a.log.Warn("ignore malformed task", "type", m.Type, "task", m.TaskID)
		return
	}
	a.mu.Lock()
	_, known := a.tasks[m.TaskID]
	a.mu.Unlock()
	if !known {
		meta := taskMeta{TaskID: m.TaskID, Kind: kind, Created: time.Now()}
		dir, out, err := createSpool(a.opts.DataDir, meta)
		if err != nil {
			// Without a spool the task cannot be run reliably: fail the host now.
			a.log.Error("spool task", "task", m.TaskID, "err", err)
			now := time.Now()
			res := &gse.HostResult{Status: gse.HostStatusGSEAgentError, ErrorCode: gse.ErrorCodeOther,
				ErrorMsg: "the agent cannot spool the task: " + err.Error(), Start: now, End: now}
			if err := s.send(&wire.Message{Type: wire.TypeResult, TaskID: m.TaskID, Result: res}); err != nil {
				a.log.Debug("send spool failure", "task", m.TaskID, "err", err)
			}
			return
		}
		t := &task{id: m.TaskID, kind: kind, dir: dir, out: out, stop: make(chan struct{})}
		a.mu.Lock()
		a.tasks[t.id] = t
		a.mu.Unlock()
		a.wg.Add(1)
		go a.execute(t, meta, m)
	}
	if err := s.send(&wire.Message{Type: wire.TypeAccepted, TaskID: m.TaskID}); err != nil {
		a.log.Debug("send accepted", "task", m.TaskID, "err", err)
	}
}

// execute waits for a free slot and runs the task.
func (a *agent) execute(t *task, meta taskMeta, m *wire.Message) {
	defer a.wg.Done()
	select {
	case <-t.stop:
		now := time.Now()
		a.finish(t, gse.HostResult{Status: stoppedStatus(t.kind), ErrorCode: gse.ErrorCodeTerminated,
			ErrorMsg: "stopped before it started", Start: now, End: now})
		return
	case <-a.ctx.Done():
		return
	case a.sem <- struct{}{}:
	}
	defer func() { <-a.sem }()
	var (
		res gse.HostResult
		ok  bool
	)
	if t.kind == kindScript {
		res, ok = a.runScript(t, meta, m.Script)
	} else {
		res, ok = a.runFile(t, m.File)
	}
	if ok {
		a.finish(t, res)
	}
}

func stoppedStatus(kind string) int {
	if kind == kindFile {
		return gse.HostStatusTerminateSuccess
	}
	return gse.HostStatusScriptTerminate
}

// stopTask handles the hub's stop request.
func (a *agent) stopTask(taskID string) {
	a.mu.Lock()
	t := a.tasks[taskID]
	a.mu.Unlock()
	if t != nil {
		t.requestStop()
	}
}

// taskIDs lists every task held, for hello.
func (a *agent) taskIDs() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	ids := make([]string, 0, len(a.tasks))
	for id := range a.tasks {
		ids = append(ids, id)
	}
	return ids
}
