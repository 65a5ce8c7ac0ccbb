package hub

import (
	"log/slog"
	"sync"
	"time"
)

// Stats are the hub's counters and sizes, read at scrape time.
type Stats struct {
	// Rejected counts agent messages dropped because they name a task the
	// hub did not dispatch to that agent and host (or describe a file the
	// task does not move).
	Rejected uint64
	// Tasks is the number of (task, host) entries the hub keeps in memory.
	Tasks int
	// ReadsInFlight is the number of agent reads the hub holds: waiting
	// for the blob store, the upload limit or the source agent's reply.
	ReadsInFlight int
}

// Stats reports the hub's counters.
func (h *Hub) Stats() Stats {
	st := Stats{Rejected: h.rejected.Load()}
	h.relayMu.Lock()
	for _, n := range h.reads {
		st.ReadsInFlight += n
	}
	h.relayMu.Unlock()
	for _, l := range h.allLinks() {
		l.mu.Lock()
		st.Tasks += len(l.tasks)
		l.mu.Unlock()
	}
	return st
}

// reject drops an agent message: it is counted and logged at a bounded rate.
func (h *Hub) reject(hostID int64, taskID string, typ any, why string) {
	h.rejected.Add(1)
	h.rejectLog.warn("drop agent message", "host_id", hostID, "task", clip(taskID), "type", typ, "reason", why)
}

// clip shortens what an agent chose, for a log line.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	for i := n; i > 0; i-- {
		if s[i]&0xC0 != 0x80 { // a rune starts here
			return s[:i] + "…"
		}
	}
	return ""
}

// limitedLog writes at most burst lines per window; the lines it drops are
// counted and reported with the next line it writes.
type limitedLog struct {
	log    *slog.Logger
	window time.Duration
	burst  int

	mu         sync.Mutex
	start      time.Time
	n          int
	suppressed int
}

func newLimitedLog(log *slog.Logger, window time.Duration, burst int) *limitedLog {
	return &limitedLog{log: log, window: window, burst: burst}
}

func (l *limitedLog) warn(msg string, args ...any) {
	l.mu.Lock()
	now := time.Now()
	if now.Sub(l.start) >= l.window {
		l.start, l.n = now, 0
	}
	if l.n >= l.burst {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	l.n++
	dropped := l.suppressed
	l.suppressed = 0
	l.mu.Unlock()
	if dropped > 0 {
		args = append(args, "suppressed_before", dropped)
	}
	l.log.Warn(msg, args...)
}
