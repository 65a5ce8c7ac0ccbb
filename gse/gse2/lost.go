package gse2

import (
	"context"

	"github.com/bkjob/bkjob/gse"
)

// Lost implements gse.Transport: a task this adapter is not polling is lost
// to it (after a restart nothing polls GSE for it any more). GSE's own task
// id lived only in the adapter's memory, so what still runs inside GSE
// cannot be stopped from here; GSE ends it at its own timeout.
func (t *Transport) Lost(ctx context.Context, taskID string, hosts []gse.Host) ([]int64, error) {
	t.mu.Lock()
	r := t.tasks[taskID]
	t.mu.Unlock()
	if r != nil {
		return nil, nil
	}
	out := make([]int64, len(hosts))
	for i, h := range hosts {
		out[i] = h.ID
	}
	return out, nil
}
