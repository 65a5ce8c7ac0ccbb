package executetest

import (
	"context"

	"github.com/bkjob/bkjob/gse"
)

// Lost implements gse.Transport: a host is held from its start until it
// is forgotten (Forget), as a real transport holds a task until it
// restarts.
func (t *Transport) Lost(_ context.Context, taskID string, hosts []gse.Host) ([]int64, error) {
	if t.BeforeLost != nil {
		t.BeforeLost(taskID)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lostAsked++
	var out []int64
	for _, h := range hosts {
		if _, ok := t.hosts[hostRef{taskID, h.ID}]; !ok {
			out = append(out, h.ID)
		}
	}
	return out, nil
}

// Forget drops taskID's hosts (all when none are named) as a transport
// restart would: they never report, and Lost names them.
func (t *Transport) Forget(taskID string, hostIDs ...int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for ref, fh := range t.hosts {
		if ref.task != taskID || len(hostIDs) > 0 && !contains(hostIDs, ref.id) {
			continue
		}
		fh.forget()
		delete(t.hosts, ref)
	}
}

// LostAsked is how many Lost calls reached the transport.
func (t *Transport) LostAsked() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lostAsked
}
