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
