package gse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/text"
)

// ErrEventsRefused is what a Sink returns when its store refused the
// events' data (a value the database will never take, say): sending them
// again unchanged fails the same way. Any other error means the store is
// away and the events are sent again until it takes them. It crosses the
// bus by code like every errs sentinel.
var ErrEventsRefused = errs.New("gse.eventsRefused", http.StatusUnprocessableEntity, "events refused by the store")

// Defaults of GuardConfig.
const (
	DefaultSinkMaxAttempts = 5
	defaultGuardFirstWait  = 100 * time.Millisecond
	defaultGuardMaxWait    = 5 * time.Second
	maxSetAsideReason      = 300 // bytes of the refusal kept in the host's error message
)

// GuardConfig tunes a SinkGuard.
type GuardConfig struct {
	// MaxAttempts is how many times a refused batch is offered before it is
	// set aside (gse.sink_max_attempts).
	MaxAttempts int
	// FirstWait is the wait after the first refusal; it doubles up to MaxWait.
	FirstWait time.Duration
	MaxWait   time.Duration
	// Record, when set, keeps each set-aside event (the gse_set_aside
	// table); its failure is logged and never blocks delivery.
	Record func(ctx context.Context, r SetAside) error
	// Ended, when set, is told of a host the guard failed on a set-aside
	// event other than its final result: the transport still runs the
	// host's task and the sink wrappers outside the guard never see the
	// failure, so it stops the task and forgets the host (router.EndHost).
	// Its error is logged.
	Ended func(ctx context.Context, taskID string, hostID int64) error
}

// SetAside is an event a SinkGuard set aside, as recorded.
type SetAside struct {
	TaskID string
	HostID int64
	Kind   EventKind
	Reason string // the store's refusal, valid UTF-8, at most 1000 bytes
	Event  []byte // the event as JSON
}

func (c GuardConfig) withDefaults() GuardConfig {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultSinkMaxAttempts
	}
	if c.FirstWait <= 0 {
		c.FirstWait = defaultGuardFirstWait
	}
	if c.MaxWait < c.FirstWait {
		c.MaxWait = max(defaultGuardMaxWait, c.FirstWait)
	}
	return c
}

// SinkGuard stands between a transport and its Sink so that one batch the
// store keeps refusing (ErrEventsRefused) cannot block the host's events
// behind it for ever. A refused batch is offered again with exponential
// backoff, MaxAttempts times in all; then its events are offered one by
// one, and each event still refused is set aside: logged with its task and
// host, counted (SetAside), recorded (GuardConfig.Record), and replaced by
// a final result that fails the host with the reason. Other errors (the store or the bus is down) are
// returned as they are, so the transport keeps retrying: an outage never
// sets anything aside.
type SinkGuard struct {
	cfg      GuardConfig
	sink     Sink
	log      *slog.Logger
	setAside atomic.Int64
}

// NewGuard wraps sink.
func NewGuard(sink Sink, cfg GuardConfig, log *slog.Logger) *SinkGuard {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SinkGuard{cfg: cfg.withDefaults(), sink: sink, log: log}
}

// SetAside is how many events were set aside since start.
func (g *SinkGuard) SetAside() int64 { return g.setAside.Load() }

// Sink is the guarded Sink.
func (g *SinkGuard) Sink(ctx context.Context, events []Event) error {
	wait := g.cfg.FirstWait
	for attempt := 1; ; attempt++ {
		err := g.sink(ctx, events)
		if err == nil || !errors.Is(err, ErrEventsRefused) {
			return err
		}
		if attempt >= g.cfg.MaxAttempts {
			return g.split(ctx, events, err)
		}
		g.log.Warn("sink refused events, retrying", "events", len(events), "attempt", attempt, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, g.cfg.MaxWait)
	}
}

// split offers a refused batch event by event and sets aside those still
// refused. A transient error stops it: the transport sends the batch again,
// and what was taken already is dropped by the sink as a duplicate.
func (g *SinkGuard) split(ctx context.Context, events []Event, cause error) error {
	if len(events) == 1 {
		return g.drop(ctx, events[0], cause)
	}
	for _, ev := range events {
		err := g.sink(ctx, []Event{ev})
		switch {
		case err == nil:
		case errors.Is(err, ErrEventsRefused):
			if err := g.drop(ctx, ev, err); err != nil {
				return err
			}
		default:
			return err
		}
	}
	return nil
}

// drop sets one event aside and fails its host with the reason.
func (g *SinkGuard) drop(ctx context.Context, ev Event, cause error) error {
	g.setAside.Add(1)
	g.log.Warn("events set aside: the store refused them", "task_id", ev.TaskID, "host_id", ev.HostID,
		"kind", ev.Kind, "bytes", eventBytes(ev), "attempts", g.cfg.MaxAttempts, "err", cause)
	if g.cfg.Record != nil {
		raw, _ := json.Marshal(ev) // an Event always encodes
		r := SetAside{TaskID: ev.TaskID, HostID: ev.HostID, Kind: ev.Kind, Reason: text.Truncate(cause.Error(), 1000), Event: raw}
		if err := g.cfg.Record(ctx, r); err != nil {
			g.log.Error("record set-aside event", "task_id", ev.TaskID, "host_id", ev.HostID, "err", err)
		}
	}
	fail := Event{Kind: EventResult, TaskID: ev.TaskID, HostID: ev.HostID, Result: &HostResult{
		Status:    HostStatusFailed,
		ErrorCode: ErrorCodeOther,
		ErrorMsg: text.Truncate(fmt.Sprintf("the server could not store this host's %s after %d attempts and set it aside: %s",
			ev.Kind, g.cfg.MaxAttempts, cause), maxSetAsideReason),
		End: time.Now(),
	}}
	if ev.Result != nil {
		fail.Result.Start, fail.Result.ExitCode, fail.Result.Offset = ev.Result.Start, ev.Result.ExitCode, ev.Result.Offset
	}
	err := g.sink(ctx, []Event{fail})
	if errors.Is(err, ErrEventsRefused) {
		// Not even the plain failure is taken: keep nothing back for it.
		g.log.Error("sink refused the failure of a set-aside event", "task_id", ev.TaskID, "host_id", ev.HostID, "err", err)
		err = nil
	}
	if err != nil {
		return err // the batch comes again, and is set aside again
	}
	final := ev.Kind == EventResult && ev.Result != nil && HostStatusFinished(ev.Result.Status)
	if !final && g.cfg.Ended != nil {
		// Stopped, the task ends with a result of its own, which reaches
		// the sink even when the failure above did not.
		if err := g.cfg.Ended(ctx, ev.TaskID, ev.HostID); err != nil {
			g.log.Error("stop the task of a host failed on a set-aside event", "task_id", ev.TaskID, "host_id", ev.HostID, "err", err)
		}
	}
	return nil
}

// eventBytes is the size of an event's variable data, for the log.
func eventBytes(ev Event) int {
	switch {
	case ev.Output != nil:
		return len(ev.Output.Data)
	case ev.Result != nil:
		return len(ev.Result.Tag) + len(ev.Result.ErrorMsg)
	case ev.File != nil:
		return len(ev.File.SrcPath) + len(ev.File.DestPath) + len(ev.File.Message)
	}
	return 0
}
