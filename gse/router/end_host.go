package router

import (
	"context"
	"errors"
	"fmt"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/errs"
)

// EndHost ends a host's share of a task from outside its transport: the
// host was failed by the server (gse.GuardConfig.Ended: its events were set
// aside), so its route is forgotten and the task is stopped on the host, on
// the transport it went to (on every transport when the route is unknown:
// each ignores a task it does not run).
func (r *Router) EndHost(ctx context.Context, taskID string, hostID int64) error {
	var via Via
	if r.guard != nil {
		via = r.guard.take(taskID, hostID)
	}
	var t gse.Transport
	switch via {
	case ViaAgent:
		t = r.agent
	case ViaSSH:
		t = r.ssh
	default:
		return r.Stop(ctx, taskID, []int64{hostID})
	}
	if t == nil {
		return nil
	}
	if err := t.Stop(ctx, taskID, []int64{hostID}); err != nil && !errors.Is(err, errs.ErrNotFound) {
		return fmt.Errorf("stop task %s on host %d over %s: %w", taskID, hostID, via, err)
	}
	return nil
}
