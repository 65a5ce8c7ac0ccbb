package hub

import (
	"github.com/bkjob/bkjob/gse/wire"
	"time"
)

// endRelays drops the forwarded reads match selects, frees their slots and
// answers their targets with code (the source's late reply is then dropped).
func (h *Hub) endRelays(match func(*relay) bool, code, msg string) {
	h.relayMu.Lock()
	var ended []*relay
	for id, r := range h.relays {
		if match(r) {
			delete(h.relays, id)
			h.releaseReadLocked(r.target)
			ended = append(ended, r)
		}
	}
	h.relayMu.Unlock()
	for _, r := range ended {
		h.replyErr(r.target, r.origID, code, msg)
	}
}

// sweepRelays ends the forwarded reads whose source did not answer within
// relayTimeout (the target retries: offline) and those of tasks that are no
// longer running on the target's host (timed out, stopped, finished), so a
// hung source cannot keep a target's read slots.
func (h *Hub) sweepRelays(now time.Time) {
	type key struct {
		hostID int64
		taskID string
		conn   *agentConn
	}
	h.relayMu.Lock()
	keys := map[key]bool{}
	for _, r := range h.relays {
		keys[key{r.target.hostID, r.taskID, r.target}] = false
	}
	h.relayMu.Unlock()
	for k := range keys {
		keys[k] = h.taskRunningOn(k.hostID, k.taskID, k.conn)
	}
	h.endRelays(func(r *relay) bool {
		running, ok := keys[key{r.target.hostID, r.taskID, r.target}]
		return ok && !running
	}, wire.CodeFailed, "the task ended")
	h.endRelays(func(r *relay) bool { return now.After(r.deadline) }, wire.CodeOffline, "the source agent did not answer the read in time")
}

// taskRunningOn reports whether the task runs on the host through c.
func (h *Hub) taskRunningOn(hostID int64, taskID string, c *agentConn) bool {
	l := h.existingLink(hostID)
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	ht := l.tasks[taskID]
	return ht != nil && !ht.final && l.conn == c
}
