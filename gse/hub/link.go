package hub

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

// maxBatch bounds the events of one Sink call.
const maxBatch = 256

// hostTask is one task on one host, as the hub tracks it.
type hostTask struct {
	start         *wire.Message // run_script / run_file, for (re)sending
	file          *wire.FileJob
	agentID       string // the agent it is for: only that agent reports on it
	sent          bool   // start went out on some connection
	accepted      bool   // the agent said it holds the task
	stopRequested bool
	final         bool       // a final result is queued or delivered; later agent events are dropped
	byHub         bool       // the hub made the final result (agent offline, stopped before delivery)
	delivered     bool       // the final result reached the sink
	ackedOn       *agentConn // the connection told to drop the task (nil: none)
	doneAt        time.Time
	offset        int64 // output passed to the sink
	seq           int64 // progress passed to the sink
	created       time.Time
}

func (t *hostTask) kind() wire.Type {
	if t.start == nil {
		return ""
	}
	return t.start.Type
}

// queued is an event waiting for the sink.
type queued struct {
	ev        gse.Event
	seq       int64
	fromAgent bool
}

// link is everything the hub knows about one host; its goroutine (run)
// passes the host's events to the sink in order.
type link struct {
	h      *Hub
	hostID int64
	wake   chan struct{}

	mu       sync.Mutex
	conn     *agentConn
	loaded   bool // registry state read
	known    bool // the host has an agent
	agentID  string
	version  string
	lastSeen time.Time
	alive    bool // as last written to the registry
	tasks    map[string]*hostTask
	void     map[string]struct{} // ended tasks the connected agent still holds: acknowledged, ignored
	queue    []queued
}

func (l *link) wakeUp() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// enqueueLocked queues an event for the sink.
func (l *link) enqueueLocked(q queued) {
	l.queue = append(l.queue, q)
	l.wakeUp()
}

// finalizeLocked ends a task on this host with a result made by the hub.
func (l *link) finalizeLocked(taskID string, ht *hostTask, status int, msg string) {
	ht.final, ht.byHub = true, true
	code := gse.ErrorCodeOther
	if status == gse.HostStatusScriptTerminate || status == gse.HostStatusTerminateSuccess {
		code = gse.ErrorCodeTerminated
	}
	now := time.Now()
	res := &gse.HostResult{Status: status, ErrorCode: code, ErrorMsg: msg, Start: ht.created, End: now, Offset: ht.offset}
	l.enqueueLocked(queued{ev: gse.Event{Kind: gse.EventResult, TaskID: taskID, HostID: l.hostID, Result: res}})
}

// run delivers queued events until ctx ends.
func (l *link) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.wake:
		}
		for l.deliverBatch(ctx) {
		}
	}
}

// deliverBatch passes one batch to the sink, then acknowledges it to the
// agent. It reports whether more is queued.
func (l *link) deliverBatch(ctx context.Context) bool {
	b, ok := l.take()
	if !ok {
		return false
	}
	if len(b.events) > 0 {
		if err := l.h.deliver(ctx, b.events); err != nil {
			return false
		}
	}
	conn, msgs, more := l.settle(b)
	if conn != nil {
		for _, m := range msgs {
			if err := conn.send(m); err != nil {
				break
			}
		}
	}
	return more
}

// batch is what take picked from the queue.
type batch struct {
	events  []gse.Event
	results []*hostTask
	ended   []string        // task ids of results
	acks    map[string]bool // task → acknowledge it, with Done when its result is in
}

// take removes up to maxBatch queued events, dropping what the sink already
// has (output before the delivered offset, repeated progress). Events from
// the agent are acknowledged even when dropped: the agent resent them
// because an acknowledgement was lost, and waits for one.
func (l *link) take() (batch, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := min(len(l.queue), maxBatch)
	if n == 0 {
		return batch{}, false
	}
	picked := append([]queued(nil), l.queue[:n]...)
	l.queue = append(l.queue[:0:0], l.queue[n:]...)
	b := batch{events: make([]gse.Event, 0, n), acks: map[string]bool{}}
	for _, q := range picked {
		ht := l.tasks[q.ev.TaskID]
		if ht == nil {
			continue
		}
		ev := q.ev
		if q.fromAgent {
			b.acks[ev.TaskID] = b.acks[ev.TaskID] || ev.Kind == gse.EventResult
		}
		switch ev.Kind {
		case gse.EventOutput:
			end := ev.Output.Offset + int64(len(ev.Output.Data))
			if end <= ht.offset {
				continue
			}
			if ev.Output.Offset < ht.offset {
				ev.Output = &gse.OutputChunk{Offset: ht.offset, Data: ev.Output.Data[ht.offset-ev.Output.Offset:]}
			}
			ht.offset = end
		case gse.EventFile:
			if q.fromAgent && q.seq <= ht.seq {
				continue
			}
			ht.seq = max(ht.seq, q.seq)
		case gse.EventResult:
			b.results = append(b.results, ht)
			b.ended = append(b.ended, ev.TaskID)
		}
		b.events = append(b.events, ev)
	}
	return b, true
}

// settle records a delivered batch and returns the acknowledgements to send.
func (l *link) settle(b batch) (*agentConn, []*wire.Message, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for _, ht := range b.results {
		ht.delivered, ht.doneAt = true, now
		ht.start, ht.file = nil, nil
		if !ht.byHub {
			ht.ackedOn = l.conn
		}
	}
	// The entries go once their end is recorded (see flushEnded).
	l.h.noteEnded(l.hostID, b.ended)
	msgs := make([]*wire.Message, 0, len(b.acks))
	for id, done := range b.acks {
		if ht := l.tasks[id]; ht != nil {
			msgs = append(msgs, &wire.Message{Type: wire.TypeAck, TaskID: id, Ack: &wire.Ack{Offset: ht.offset, Seq: ht.seq, Done: done}})
		}
	}
	return l.conn, msgs, len(l.queue) > 0
}

// fromAgent takes an output, progress or result message from the agent.
// Only tasks dispatched to this agent on this host are taken; anything else
// is dropped (counted, logged at a bounded rate) and leaves no state.
func (l *link) fromAgent(c *agentConn, m *wire.Message) {
	var agentID string
	if c != nil {
		agentID = c.agentID
	}
	l.mu.Lock()
	if c != l.conn {
		// A connection replaced by a newer one: the agent resends there.
		l.mu.Unlock()
		return
	}
	ht := l.tasks[m.TaskID]
	if ht == nil {
		_, void := l.void[m.TaskID]
		l.mu.Unlock()
		if !void {
			l.h.reject(l.hostID, m.TaskID, m.Type, "no such task was dispatched to this host")
			return
		}
		if m.Type == wire.TypeResult {
			l.h.log.Warn("ignore late result for a task already ended", "task", m.TaskID, "host_id", l.hostID)
		}
		_ = c.send(&wire.Message{Type: wire.TypeAck, TaskID: m.TaskID, Ack: &wire.Ack{Offset: m.Offset, Seq: m.Seq, Done: true}})
		return
	}
	if ht.agentID != agentID {
		l.mu.Unlock()
		l.h.reject(l.hostID, m.TaskID, m.Type, "the task was dispatched to another agent")
		return
	}
	if ht.final {
		void := ht.byHub || ht.delivered
		l.mu.Unlock()
		if ht.byHub && m.Type == wire.TypeResult {
			l.h.log.Warn("ignore late result for a task already failed", "task", m.TaskID, "host_id", l.hostID)
		}
		if void {
			_ = c.send(&wire.Message{Type: wire.TypeAck, TaskID: m.TaskID, Ack: &wire.Ack{Offset: m.Offset, Seq: m.Seq, Done: true}})
		}
		return
	}
	ev := gse.Event{TaskID: m.TaskID, HostID: l.hostID}
	switch {
	case m.Type == wire.TypeOutput:
		ev.Kind, ev.Output = gse.EventOutput, &gse.OutputChunk{Offset: m.Offset, Data: m.Data}
	case m.Type == wire.TypeProgress && m.Progress != nil:
		if why := checkProgress(ht.file, m.Progress); why != "" {
			l.mu.Unlock()
			l.h.reject(l.hostID, m.TaskID, m.Type, why)
			return
		}
		ev.Kind, ev.File = gse.EventFile, m.Progress
	case m.Type == wire.TypeResult && m.Result != nil:
		ev.Kind, ev.Result = gse.EventResult, m.Result
		ht.final = true
	default:
		l.mu.Unlock()
		return
	}
	l.enqueueLocked(queued{ev: ev, seq: m.Seq, fromAgent: true})
	l.mu.Unlock()
}

// checkProgress says why a target's file progress does not belong to its
// file job ("" when it does): a target reports only its own downloads, from
// the job's own sources.
func checkProgress(job *wire.FileJob, p *gse.FileProgress) string {
	if job == nil {
		return "progress for a task that is not a file transfer of this host"
	}
	if p.Mode != progressDownload {
		return "a target reports only its downloads"
	}
	for _, s := range job.Sources {
		if s.HostID == p.SrcHostID {
			return ""
		}
	}
	return "progress names a source host that is not a source of the task"
}

// progressDownload is FileProgress.Mode of a download at a target.
const progressDownload = 1

// held is what the hub knows about the tasks an agent lists in its hello
// that this link does not hold (see Hub.checkHeld).
type held struct {
	ids     []string // every task the agent lists
	unknown []string // those the link had no entry for, looked up in stored
	stored  map[string]taskRow
	checked bool // stored was read; false when the database could not be asked
}

// attach makes c the host's connection and returns what it must be sent:
// tasks it does not hold yet and pending stops. An accepted task the agent
// no longer holds ends as an agent error. Of the tasks the agent lists that
// the link does not hold, one dispatched to this agent and host (recorded
// before a hub restart) is taken back, one already ended is void (its late
// reports are ignored), and any other is junk; the agent is told to drop
// void and junk tasks.
func (l *link) attach(c *agentConn, rec HostRecord, hd held) (old *agentConn, resend []*wire.Message, moved, void, junk []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old, l.conn = l.conn, c
	l.loaded, l.known, l.alive = true, true, true
	l.agentID, l.version, l.lastSeen = rec.Agent(), rec.AgentVersion, time.Now()
	l.void = map[string]struct{}{}
	has := make(map[string]bool, len(hd.ids))
	for _, id := range hd.ids {
		has[id] = true
	}
	for id, ht := range l.tasks {
		mine := ht.agentID == c.agentID
		switch {
		case ht.final:
		case has[id] && mine && ht.stopRequested:
			resend = append(resend, &wire.Message{Type: wire.TypeStop, TaskID: id})
		case has[id] && mine:
		case ht.accepted:
			l.finalizeLocked(id, ht, gse.HostStatusAgentError, "the agent lost the task (it restarted without its data dir)")
		case ht.start != nil:
			resend = append(resend, ht.start)
			ht.sent = true
			if !mine {
				ht.agentID = c.agentID
				moved = append(moved, id)
			}
		}
	}
	for _, id := range hd.unknown {
		if l.tasks[id] != nil || !hd.checked {
			continue
		}
		r, ok := hd.stored[id]
		switch {
		case ok && r.EndedAt != nil:
			l.void[id] = struct{}{}
			void = append(void, id)
		case ok && r.AgentID == c.agentID:
			l.tasks[id] = &hostTask{sent: true, accepted: true, agentID: c.agentID, file: r.job(), created: r.CreatedAt}
			l.h.indexTask(id, l.hostID)
		default:
			junk = append(junk, id)
		}
	}
	return old, resend, moved, void, junk
}

// detach forgets c when it is still the host's connection.
func (l *link) detach(c *agentConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == c {
		l.conn, l.lastSeen = nil, time.Now()
		l.void = nil
	}
}

func (l *link) touch() {
	l.mu.Lock()
	l.lastSeen = time.Now()
	l.mu.Unlock()
}

func (l *link) accepted(c *agentConn, taskID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ht := l.tasks[taskID]; ht != nil && c == l.conn && ht.agentID == c.agentID {
		ht.accepted = true
	}
}

func (l *link) currentConn() *agentConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conn
}

// offlineSince describes how long the agent has been away.
func offlineMsg(last time.Time) string {
	if last.IsZero() {
		return "the agent is offline"
	}
	return fmt.Sprintf("the agent is offline: not heard from since %s", last.UTC().Format(time.RFC3339))
}
