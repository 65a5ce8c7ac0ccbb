package ssh

import (
	"context"
	"time"

	"github.com/bkjob/bkjob/gse"
)

// cutFunc builds the final result of a host cut short by cause: stopped,
// timed out or the transport closed. Scripts and transfers report these
// with different statuses (interruptedScript, fileInterrupted).
type cutFunc func(start time.Time, cause error) gse.HostResult

// hostHold is what a script or a transfer holds on one host before its own
// work starts: a concurrency slot, the task's clock and timeout, a pooled
// connection and the account to act as.
type hostHold struct {
	ctx   context.Context // the host's context, ending at the task's timeout
	start time.Time       // when the host got its slot
	conn  *conn
	own   *owner
	done  func() // gives back the connection, the timeout and the slot
}

// hold takes a slot, starts the clock and the timeout, connects to h and
// resolves account. When it cannot, it returns nil and h's final result,
// built by cut if ctx ended first; the caller defers done otherwise.
func (t *Transport) hold(ctx context.Context, h gse.Host, timeout time.Duration, account string, cut cutFunc) (*hostHold, gse.HostResult) {
	if h.SSH == nil {
		return nil, failed(time.Time{}, failf(gse.HostStatusAgentError, "host %d has no SSH endpoint", h.ID))
	}
	release, err := t.slot(ctx)
	if err != nil {
		return nil, cut(time.Time{}, err)
	}
	hh := &hostHold{start: time.Now(), done: release}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, errTimedOut)
		hh.done = func() { cancel(); release() }
	}
	hh.ctx = ctx
	// The result is built before done, whose cancel would end hh.ctx.
	giveUp := func(err error) (*hostHold, gse.HostResult) {
		res := failedOrCut(ctx, hh.start, err, cut)
		hh.done()
		return nil, res
	}
	if hh.conn, err = t.pool.acquire(ctx, h.SSH); err != nil {
		return giveUp(err)
	}
	slotDone := hh.done
	hh.done = func() { t.pool.release(hh.conn); slotDone() }
	if hh.own, err = t.account(ctx, hh.conn, h.SSH.User, account); err != nil {
		return giveUp(err)
	}
	return hh, gse.HostResult{}
}

// failedOrCut reports err, unless the host's context ended first: then
// cut reports why.
func failedOrCut(ctx context.Context, start time.Time, err error, cut cutFunc) gse.HostResult {
	if ctx.Err() != nil {
		return cut(start, context.Cause(ctx))
	}
	return failed(start, err)
}
