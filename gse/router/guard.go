package router

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bkjob/bkjob/gse"
)

// Via names the transport a host's share of a task went to.
type Via int

// Transports a Guard tells apart.
const (
	ViaAgent Via = iota + 1
	ViaSSH
)

func (v Via) String() string {
	if v == ViaSSH {
		return "ssh"
	}
	return "agent"
}

// Guard makes sure events for a host come only from the transport its task
// was dispatched on: an agent bound to an agentless host's row cannot
// report on that host's SSH task, whatever the agent transport lets in.
// The router records every dispatch; each transport's sink is wrapped with
// Sink. A (task, host) is forgotten when its final result is delivered.
// Hosts of tasks the router did not dispatch (before a restart) pass: each
// transport checks its own.
type Guard struct {
	log *slog.Logger

	mu        sync.Mutex
	tasks     map[string]*taskRoutes
	lastSweep time.Time

	dropped atomic.Uint64
	logMu   sync.Mutex
	logFrom time.Time
	logged  int
}

// taskRoutes are the routes of one task: its target hosts (which end with
// a result) and its source hosts (forgotten with the last target).
type taskRoutes struct {
	via     map[int64]Via
	targets map[int64]struct{}
	at      time.Time
}

// Bounds of a Guard.
const (
	// routeTTL forgets a route whose result never came (a transport lost the
	// task); no task runs this long.
	routeTTL = 48 * time.Hour
	// guardLogBurst lines per minute at most report dropped events.
	guardLogBurst = 20
)

// NewGuard returns an empty guard logging to log (nil discards).
func NewGuard(log *slog.Logger) *Guard {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Guard{log: log, tasks: map[string]*taskRoutes{}}
}

// Dropped counts events refused because they came from the wrong transport.
func (g *Guard) Dropped() uint64 { return g.dropped.Load() }

// Routes is the number of (task, host) routes held.
func (g *Guard) Routes() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, t := range g.tasks {
		n += len(t.via)
	}
	return n
}

// record notes that the targets (and the source hosts) of a task go
// through via.
func (g *Guard) record(taskID string, targets, sources []gse.Host, via Via) {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.lastSweep) > time.Hour {
		g.lastSweep = now
		for id, t := range g.tasks {
			if now.Sub(t.at) > routeTTL {
				delete(g.tasks, id)
			}
		}
	}
	t := g.tasks[taskID]
	if t == nil {
		t = &taskRoutes{via: map[int64]Via{}, targets: map[int64]struct{}{}}
		g.tasks[taskID] = t
	}
	t.at = now
	for _, h := range sources {
		t.via[h.ID] = via
	}
	for _, h := range targets {
		t.via[h.ID] = via
		t.targets[h.ID] = struct{}{}
	}
}

// forget drops the routes of a part whose start failed.
func (g *Guard) forget(taskID string, targets []gse.Host) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, h := range targets {
		g.endLocked(taskID, h.ID)
	}
}

// take forgets a target's route and returns it; 0 when unknown.
func (g *Guard) take(taskID string, hostID int64) Via {
	g.mu.Lock()
	defer g.mu.Unlock()
	via := g.routeLocked(taskID, hostID)
	g.endLocked(taskID, hostID)
	return via
}

// endLocked forgets a target; the task goes with its last target.
func (g *Guard) endLocked(taskID string, hostID int64) {
	t := g.tasks[taskID]
	if t == nil {
		return
	}
	delete(t.targets, hostID)
	delete(t.via, hostID)
	if len(t.targets) == 0 {
		delete(g.tasks, taskID)
	}
}

// routeLocked is the transport (task, host) went to; 0 when unknown.
func (g *Guard) routeLocked(taskID string, hostID int64) Via {
	if t := g.tasks[taskID]; t != nil {
		return t.via[hostID]
	}
	return 0
}

// Sink wraps the sink of the transport via: events for hosts dispatched on
// another transport are dropped (counted, logged at a bounded rate).
func (g *Guard) Sink(via Via, next gse.Sink) gse.Sink {
	return func(ctx context.Context, events []gse.Event) error {
		pass := events[:0:0]
		var ended []gse.Event
		g.mu.Lock()
		for _, ev := range events {
			if want := g.routeLocked(ev.TaskID, ev.HostID); want != 0 && want != via {
				g.drop(ev, via, want)
				continue
			}
			if ev.Kind == gse.EventResult && ev.Result != nil && gse.HostStatusFinished(ev.Result.Status) {
				ended = append(ended, ev)
			}
			pass = append(pass, ev)
		}
		g.mu.Unlock()
		if len(pass) > 0 {
			if err := next(ctx, pass); err != nil {
				return err
			}
		}
		if len(ended) > 0 {
			g.mu.Lock()
			for _, ev := range ended {
				if g.routeLocked(ev.TaskID, ev.HostID) == via {
					g.endLocked(ev.TaskID, ev.HostID)
				}
			}
			g.mu.Unlock()
		}
		return nil
	}
}

// drop counts and (at a bounded rate) logs a refused event.
func (g *Guard) drop(ev gse.Event, from, want Via) {
	g.dropped.Add(1)
	now := time.Now()
	g.logMu.Lock()
	if now.Sub(g.logFrom) >= time.Minute {
		g.logFrom, g.logged = now, 0
	}
	g.logged++
	write := g.logged <= guardLogBurst
	g.logMu.Unlock()
	if write {
		g.log.Warn("drop host event from the wrong transport", "task", ev.TaskID, "host_id", ev.HostID,
			"kind", ev.Kind, "from", from, "dispatched_on", want)
	}
}
