package hub

import (
	"context"
	"time"

	"github.com/bkjob/bkjob/gse/wire"
)

// maxHeld bounds the task ids of one hello the hub looks up; no agent holds
// that many (it runs a few dozen at once).
const maxHeld = 10000

// purgeEvery is how often old dispatch records are deleted.
const purgeEvery = 10 * time.Minute

// attachAgent makes c the connection of l. The tasks the agent says it holds
// that the hub does not track are checked against the dispatch record: those
// dispatched to this agent and host are taken back, ended ones are ignored,
// and the agent is told to drop the rest. It returns the connection c
// replaces and what c must be sent.
func (h *Hub) attachAgent(ctx context.Context, l *link, c *agentConn, rec HostRecord, ids []string) (*agentConn, []*wire.Message) {
	hd := held{ids: ids, checked: true}
	if unknown := l.untracked(ids); len(unknown) > 0 {
		if len(unknown) > maxHeld {
			h.rejected.Add(uint64(len(unknown) - maxHeld)) //nolint:gosec // G115: positive, len(unknown) > maxHeld
			h.rejectLog.warn("agent holds too many tasks, ignoring the rest", "host_id", l.hostID, "tasks", len(unknown), "looked_up", maxHeld)
			unknown = unknown[:maxHeld]
		}
		stored, err := h.store.lookup(ctx, l.hostID, unknown)
		if err != nil {
			// The tasks stay with the agent; their reports are refused until
			// a later connection can check them.
			h.log.Warn("check the tasks an agent holds", "host_id", l.hostID, "err", err)
			hd.checked = false
		}
		hd.stored, hd.unknown = stored, unknown
	}
	old, resend, moved, void, junk := l.attach(c, rec, hd)
	if len(moved) > 0 {
		if err := h.store.setAgent(ctx, l.hostID, c.agentID, moved); err != nil {
			h.log.Warn("record the agent of resent tasks", "host_id", l.hostID, "err", err)
		}
	}
	if len(void) > 0 {
		h.log.Warn("ignore late results of tasks already ended; the agent drops them", "host_id", l.hostID, "tasks", len(void), "first", clip(void[0]))
	}
	for _, id := range void {
		resend = append(resend, &wire.Message{Type: wire.TypeAck, TaskID: id, Ack: &wire.Ack{Done: true}})
	}
	for _, id := range junk {
		h.reject(l.hostID, id, wire.TypeHello, "the agent holds a task not dispatched to it on this host")
		resend = append(resend, &wire.Message{Type: wire.TypeAck, TaskID: id, Ack: &wire.Ack{Done: true}})
	}
	return old, resend
}

// untracked returns the ids the link has no entry for.
func (l *link) untracked(ids []string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, id := range ids {
		if l.tasks[id] == nil {
			out = append(out, id)
		}
	}
	return out
}

// noteEnded queues delivered tasks of a host for recording as ended.
func (h *Hub) noteEnded(hostID int64, taskIDs []string) {
	if len(taskIDs) == 0 {
		return
	}
	h.taskMu.Lock()
	defer h.taskMu.Unlock()
	if h.ended == nil {
		h.ended = map[int64][]string{}
	}
	h.ended[hostID] = append(h.ended[hostID], taskIDs...)
}

// flushEnded records delivered tasks as ended, then releases their entries:
// from then on the record tells a late report from a junk one.
func (h *Hub) flushEnded(ctx context.Context, now time.Time) {
	h.taskMu.Lock()
	ended := h.ended
	h.ended = map[int64][]string{}
	h.taskMu.Unlock()
	if len(ended) == 0 {
		return
	}
	if err := h.store.markEnded(ctx, ended, now.UTC()); err != nil {
		h.log.Warn("record ended tasks, retrying", "hosts", len(ended), "err", err)
		for hostID, ids := range ended {
			h.noteEnded(hostID, ids)
		}
		return
	}
	for hostID, ids := range ended {
		l := h.existingLink(hostID)
		if l == nil {
			continue
		}
		// An agent connected since the end was acknowledged (or never told,
		// for a result the hub made) may still hold the task: it is told to
		// drop it now, as the entry that would answer its reports goes.
		var tell []string
		l.mu.Lock()
		conn := l.conn
		for _, id := range ids {
			if ht := l.tasks[id]; ht != nil && ht.delivered {
				if conn != nil && ht.ackedOn != conn {
					tell = append(tell, id)
					if l.void != nil {
						l.void[id] = struct{}{}
					}
				}
				delete(l.tasks, id)
				h.unindexTask(id, hostID)
			}
		}
		l.mu.Unlock()
		if len(tell) > 0 {
			h.spawn(func() {
				for _, id := range tell {
					if err := conn.send(&wire.Message{Type: wire.TypeAck, TaskID: id, Ack: &wire.Ack{Done: true}}); err != nil {
						return
					}
				}
			})
		}
	}
}
