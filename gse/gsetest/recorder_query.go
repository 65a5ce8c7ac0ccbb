package gsetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

// RefuseNext makes the next n sink calls fail (the transport must deliver
// their events again).
func (r *Recorder) RefuseNext(n int) {
	r.Refuse(func([]gse.Event) error {
		if n == 0 {
			return nil
		}
		n-- // under r.mu: Sink calls refuse with the lock held
		return errors.New("sink busy")
	})
}

// HostEvents returns the events of (task, host), in the order taken.
func (r *Recorder) HostEvents(taskID string, hostID int64) []gse.Event {
	var out []gse.Event
	for _, ev := range r.Events(taskID) {
		if ev.HostID == hostID {
			out = append(out, ev)
		}
	}
	return out
}

// FileProgress returns every file progress report of (task, host), in the
// order taken.
func (r *Recorder) FileProgress(taskID string, hostID int64) []gse.FileProgress {
	var out []gse.FileProgress
	for _, ev := range r.HostEvents(taskID, hostID) {
		if ev.Kind == gse.EventFile {
			out = append(out, *ev.File)
		}
	}
	return out
}

// StrictOutput joins the output chunks of (task, host), failing t unless
// each starts where the one before ended: no gap and no chunk delivered
// twice (Output tolerates repeats).
func (r *Recorder) StrictOutput(t testing.TB, taskID string, hostID int64) string {
	t.Helper()
	var b strings.Builder
	for _, ev := range r.HostEvents(taskID, hostID) {
		if ev.Kind == gse.EventOutput {
			require.Equal(t, int64(b.Len()), ev.Output.Offset, "chunk offset")
			b.Write(ev.Output.Data)
		}
	}
	return b.String()
}

// WaitResults waits for the final result of every host of a task and
// returns them by host id.
func (r *Recorder) WaitResults(t testing.TB, taskID string, within time.Duration, hosts ...gse.Host) map[int64]gse.HostResult {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, h := range hosts {
			if _, ok := r.Result(taskID, h.ID); !ok {
				return false
			}
		}
		return true
	}, within, 10*time.Millisecond, "hosts of task %s did not finish", taskID)
	out := map[int64]gse.HostResult{}
	for _, h := range hosts {
		out[h.ID], _ = r.Result(taskID, h.ID)
	}
	return out
}
