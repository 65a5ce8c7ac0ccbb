package hub

import "time"

// RelayTimeout exports relayTimeout to the tests.
const RelayTimeout = relayTimeout

// SweepRelaysAt runs the monitor's relay sweep as if it were now.
func (h *Hub) SweepRelaysAt(now time.Time) { h.sweepRelays(now) }

// SetMaxReads lowers the per-connection read cap for a test.
func (h *Hub) SetMaxReads(n int) {
	h.relayMu.Lock()
	defer h.relayMu.Unlock()
	h.maxReads = n
}

// SetDispatchGap runs f between a dispatch's record and its sends.
func (h *Hub) SetDispatchGap(f func()) { h.dispatchGap = f }

// AgentOf is the agent currently connected for a host ("" for none).
func (h *Hub) AgentOf(hostID int64) string {
	l := h.existingLink(hostID)
	if l == nil {
		return ""
	}
	if c := l.currentConn(); c != nil {
		return c.agentID
	}
	return ""
}
