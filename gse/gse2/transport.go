package gse2

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/errs"
)

// Deps are the adapter's collaborators.
type Deps struct {
	Sink gse.Sink
	// Blob resolves blob keys to paths the blob agent reads; nil refuses
	// blob sources.
	Blob       blob.Store
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Transport implements gse.Transport over the GSE 2.0 API.
type Transport struct {
	cfg    Config
	client *Client
	deps   Deps
	log    *slog.Logger

	base       context.Context
	cancelBase context.CancelFunc
	sinkCtx    context.Context
	cancelSink context.CancelFunc
	wg         sync.WaitGroup

	mu    sync.Mutex
	tasks map[string]*running
}

var _ gse.Transport = (*Transport)(nil)

// running is a task handed to GSE whose results are still being polled.
type running struct {
	file    bool
	gseID   string
	byAgent map[string]gse.Host // target agents
}

// New returns an adapter; Close stops its pollers.
func New(cfg Config, deps Deps) (*Transport, error) {
	client, err := NewClient(cfg, deps.HTTPClient)
	if err != nil {
		return nil, err
	}
	if deps.Sink == nil {
		return nil, fmt.Errorf("new gse2 transport: sink is required")
	}
	log := deps.Logger
	if log == nil {
		log = slog.Default()
	}
	base, cancel := context.WithCancel(context.Background())
	sinkCtx, cancelSink := context.WithCancel(context.Background())
	return &Transport{
		cfg: client.cfg, client: client, deps: deps, log: log.With("transport", "gse2"),
		base: base, cancelBase: cancel, sinkCtx: sinkCtx, cancelSink: cancelSink,
		tasks: make(map[string]*running),
	}, nil
}

// Close stops polling. Tasks keep running in GSE; their results are not
// collected any more.
func (t *Transport) Close(ctx context.Context) error {
	t.cancelBase()
	done := make(chan struct{})
	go func() { t.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("close gse2 transport: %w", ctx.Err())
	}
	t.cancelSink()
	return err
}

// register records a started task and runs poll for it.
func (t *Transport) register(taskID string, r *running, poll func(ctx context.Context)) {
	t.mu.Lock()
	t.tasks[taskID] = r
	t.wg.Add(1)
	t.mu.Unlock()
	go func() {
		defer t.wg.Done()
		defer func() {
			t.mu.Lock()
			delete(t.tasks, taskID)
			t.mu.Unlock()
		}()
		poll(t.base)
	}()
}

func (t *Transport) checkNew(taskID string) error {
	if t.base.Err() != nil {
		return errs.ErrUnavailable.Withf("gse2 transport is closed")
	}
	if taskID == "" {
		return errs.Invalid("task_id", "is required")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, dup := t.tasks[taskID]; dup {
		return errs.ErrConflict.Withf("task %s is already running", taskID)
	}
	return nil
}

// agentsOf splits hosts into those with an agent id (keyed by it) and those
// without, refusing an agent id shared by two hosts.
func agentsOf(field string, hosts []gse.Host) (map[string]gse.Host, []gse.Host, error) {
	byAgent := make(map[string]gse.Host, len(hosts))
	var none []gse.Host
	for _, h := range hosts {
		if h.AgentID == "" {
			none = append(none, h)
			continue
		}
		if other, dup := byAgent[h.AgentID]; dup {
			return nil, nil, errs.Invalid(field, "hosts %d and %d share agent id %s", other.ID, h.ID, h.AgentID)
		}
		byAgent[h.AgentID] = h
	}
	return byAgent, none, nil
}

// Stop implements gse.Transport with the terminate call of the task's
// kind; the terminated hosts' results arrive through polling. Unknown or
// finished tasks are not an error.
func (t *Transport) Stop(ctx context.Context, taskID string, hostIDs []int64) error {
	t.mu.Lock()
	r := t.tasks[taskID]
	t.mu.Unlock()
	if r == nil {
		return nil
	}
	want := make(map[int64]bool, len(hostIDs))
	for _, id := range hostIDs {
		want[id] = true
	}
	req := TaskAgentsRequest{TaskID: r.gseID}
	for agentID, h := range r.byAgent {
		if len(want) == 0 || want[h.ID] {
			req.Agents = append(req.Agents, Agent{AgentID: agentID})
		}
	}
	if len(req.Agents) == 0 {
		return nil
	}
	if r.file {
		return t.client.TerminateTransfer(ctx, req)
	}
	return t.client.TerminateScript(ctx, req)
}

// AgentStatus implements gse.Transport with list_agent_state; hosts without
// an agent id, or unknown to GSE, are not alive.
func (t *Transport) AgentStatus(ctx context.Context, hosts []gse.Host) ([]gse.AgentState, error) {
	var ids []string
	seen := map[string]bool{}
	for _, h := range hosts {
		if h.AgentID != "" && !seen[h.AgentID] {
			seen[h.AgentID] = true
			ids = append(ids, h.AgentID)
		}
	}
	states := map[string]AgentStateInfo{}
	if len(ids) > 0 {
		infos, err := t.client.ListAgentState(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("list gse agent state: %w", err)
		}
		for _, s := range infos {
			states[s.AgentID] = s
		}
	}
	now := time.Now()
	out := make([]gse.AgentState, len(hosts))
	for i, h := range hosts {
		out[i] = gse.AgentState{HostID: h.ID, AgentID: h.AgentID}
		if s, ok := states[h.AgentID]; ok && h.AgentID != "" {
			out[i].Version = s.Version
			out[i].Alive = s.StatusCode == AgentRunning
			if out[i].Alive {
				out[i].Seen = now
			}
		}
	}
	return out, nil
}

// deliver hands events to the sink, retrying until it takes them or the
// transport is closed.
func (t *Transport) deliver(events ...gse.Event) {
	if len(events) == 0 {
		return
	}
	wait := t.cfg.SinkRetry
	for {
		err := t.deps.Sink(t.sinkCtx, events)
		if err == nil {
			return
		}
		if t.sinkCtx.Err() != nil {
			t.log.Warn("gse2 events dropped at close", "task_id", events[0].TaskID, "err", err)
			return
		}
		t.log.Warn("gse2 sink refused events", "task_id", events[0].TaskID, "err", err)
		select {
		case <-time.After(wait):
		case <-t.sinkCtx.Done():
		}
		wait = min(wait*2, 5*time.Second)
	}
}

func resultEvent(taskID string, hostID int64, r gse.HostResult) gse.Event {
	return gse.Event{Kind: gse.EventResult, TaskID: taskID, HostID: hostID, Result: &r}
}

// notInstalled fails hosts that have no agent id, as bk-job does.
func (t *Transport) notInstalled(taskID string, hosts []gse.Host) {
	now := time.Now()
	for _, h := range hosts {
		t.deliver(resultEvent(taskID, h.ID, gse.HostResult{
			Status: gse.HostStatusAgentNotInstalled, ExitCode: -1, ErrorCode: gse.ErrorCodeOther,
			ErrorMsg: fmt.Sprintf("host %d has no GSE agent id", h.ID), Start: now, End: now,
		}))
	}
}

// unixTime reads a GSE timestamp (seconds; milliseconds when that large).
func unixTime(v int64) time.Time {
	switch {
	case v <= 0:
		return time.Time{}
	case v > 1e12:
		return time.UnixMilli(v)
	}
	return time.Unix(v, 0)
}

// sleep waits d or until ctx ends; false means ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// timeoutSeconds says a GSE timeout in seconds: at least 1; 0 means
// bk-job's default of 7200.
func timeoutSeconds(d time.Duration) int {
	if d <= 0 {
		return 7200
	}
	return max(1, int((d+time.Second-1)/time.Second))
}
