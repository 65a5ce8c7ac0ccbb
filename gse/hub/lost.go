package hub

import (
	"context"

	"github.com/bkjob/bkjob/gse"
)

// Lost implements gse.Transport: a host is held while the hub tracks the
// task there (running, waiting for the agent to come back, or with events
// not yet delivered). After a hub restart nothing is tracked until the
// engine dispatches again; an agent that still holds the task then picks
// it up where it was (agents take a task they already hold as a no-op), so
// nothing needs ending here.
func (h *Hub) Lost(_ context.Context, taskID string, hosts []gse.Host) ([]int64, error) {
	if !h.started.Load() {
		return nil, ErrNotStarted
	}
	h.taskMu.Lock()
	defer h.taskMu.Unlock()
	held := h.taskHosts[taskID]
	var out []int64
	for _, host := range hosts {
		if _, ok := held[host.ID]; !ok {
			out = append(out, host.ID)
		}
	}
	return out, nil
}
