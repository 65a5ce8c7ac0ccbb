package gsetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

// Recorder is a gse.Sink that keeps every event it took, assembles each
// (task, host)'s output by offset, and records protocol violations: an
// output gap, or any event for a (task, host) after its final result.
type Recorder struct {
	mu         sync.Mutex
	events     []gse.Event
	out        map[key][]byte
	final      map[key]gse.HostResult
	latest     map[key]gse.HostResult
	violations []string
	refuse     func([]gse.Event) error
}

type key struct {
	task string
	host int64
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder {
	return &Recorder{out: map[key][]byte{}, final: map[key]gse.HostResult{}, latest: map[key]gse.HostResult{}}
}

// Refuse makes the sink call fn first; a non-nil error refuses the batch
// (the transport must deliver it again). nil restores normal behaviour.
func (r *Recorder) Refuse(fn func([]gse.Event) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refuse = fn
}

// Sink is the gse.Sink to give the transport.
func (r *Recorder) Sink(_ context.Context, events []gse.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refuse != nil {
		if err := r.refuse(events); err != nil {
			return err
		}
	}
	for _, ev := range events {
		k := key{ev.TaskID, ev.HostID}
		if res, done := r.final[k]; done {
			r.violations = append(r.violations, fmt.Sprintf("%s event for task %s host %d after its final result (status %d)", ev.Kind, ev.TaskID, ev.HostID, res.Status))
			continue
		}
		switch ev.Kind {
		case gse.EventOutput:
			if ev.Output == nil {
				r.violations = append(r.violations, "output event without output")
				continue
			}
			have := int64(len(r.out[k]))
			end := ev.Output.Offset + int64(len(ev.Output.Data))
			switch {
			case ev.Output.Offset > have:
				r.violations = append(r.violations, fmt.Sprintf("output gap for task %s host %d: have %d bytes, chunk at %d", ev.TaskID, ev.HostID, have, ev.Output.Offset))
			case end > have:
				r.out[k] = append(r.out[k], ev.Output.Data[have-ev.Output.Offset:]...)
			}
		case gse.EventResult:
			if ev.Result == nil {
				r.violations = append(r.violations, "result event without result")
				continue
			}
			r.latest[k] = *ev.Result
			if gse.HostStatusFinished(ev.Result.Status) {
				r.final[k] = *ev.Result
			}
		case gse.EventFile:
			if ev.File == nil {
				r.violations = append(r.violations, "file event without progress")
				continue
			}
		}
		if ev.Output != nil {
			cp := *ev.Output
			cp.Data = append([]byte(nil), cp.Data...)
			ev.Output = &cp
		}
		r.events = append(r.events, ev)
	}
	return nil
}

// Violations lists the order and offset errors seen so far.
func (r *Recorder) Violations() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.violations...)
}

// Output is the output of (task, host) taken so far.
func (r *Recorder) Output(taskID string, hostID int64) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return string(r.out[key{taskID, hostID}])
}

// Result is the final result of (task, host), if any.
func (r *Recorder) Result(taskID string, hostID int64) (gse.HostResult, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res, ok := r.final[key{taskID, hostID}]
	return res, ok
}

// Events returns the events of a task, in the order taken.
func (r *Recorder) Events(taskID string) []gse.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []gse.Event
	for _, ev := range r.events {
		if ev.TaskID == taskID {
			out = append(out, ev)
		}
	}
	return out
}

// Files returns the latest progress of every file of (task, host), by
// destination path.
func (r *Recorder) Files(taskID string, hostID int64) map[string]gse.FileProgress {
	out := map[string]gse.FileProgress{}
	for _, ev := range r.Events(taskID) {
		if ev.Kind == gse.EventFile && ev.HostID == hostID {
			out[ev.File.DestPath] = *ev.File
		}
	}
	return out
}

// WaitResult waits for the final result of (task, host).
func (r *Recorder) WaitResult(t testing.TB, taskID string, hostID int64, within time.Duration) gse.HostResult {
	t.Helper()
	var res gse.HostResult
	require.Eventually(t, func() bool {
		var ok bool
		res, ok = r.Result(taskID, hostID)
		return ok
	}, within, 10*time.Millisecond, "no final result for task %s on host %d; output so far: %q", taskID, hostID, r.Output(taskID, hostID))
	return res
}

// WaitOutput waits until the output of (task, host) contains want.
func (r *Recorder) WaitOutput(t testing.TB, taskID string, hostID int64, want string, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		return contains(r.Output(taskID, hostID), want)
	}, within, 10*time.Millisecond, "output of task %s on host %d never contained %q; got %q", taskID, hostID, want, r.Output(taskID, hostID))
}

func contains(s, sub string) bool {
	return strings.Contains(s, sub)
}
