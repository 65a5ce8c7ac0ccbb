package executeimpl

import (
	"context"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
)

// reconcileBatch is how many unfinished jobs one pass loads at a time.
const reconcileBatch = 500

// reconcileLoop resumes unfinished work at start and then re-examines it
// every ReconcileInterval.
func (e *Engine) reconcileLoop(ctx context.Context) {
	defer e.loops.Done()
	e.reconcile(ctx, true)
	t := time.NewTicker(e.opts.ReconcileInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.reconcile(ctx, false)
		}
	}
}

// reconcile drives unfinished work from what the database says. Per
// unfinished job it re-sends events that may have been lost; per live gse
// task it takes over dispatches whose dispatcher died, re-attaches to
// running tasks (nothing to send: their results arrive through the sink),
// and ends hosts that overran their timeout or termination. At start
// everything is examined; later only what has been idle a whole interval.
func (e *Engine) reconcile(ctx context.Context, startup bool) {
	if !e.enter() {
		return
	}
	defer e.work.Done()
	now := e.nowMS()
	idle := now - e.opts.ReconcileInterval.Milliseconds()
	if startup {
		idle = now + 1
	}
	jobs := 0
	for after := int64(0); ctx.Err() == nil; {
		list, err := e.st.unfinishedJobs(ctx, after, reconcileBatch)
		if err != nil {
			e.log.Warn("reconcile: load unfinished jobs", "err", err)
			return
		}
		for i := range list {
			after = list[i].ID
			if err := e.reconcileJob(ctx, &list[i], idle); err != nil {
				e.log.Warn("reconcile job", "job_instance_id", list[i].ID, "err", err)
			}
		}
		jobs += len(list)
		if len(list) < reconcileBatch {
			break
		}
	}
	live := map[string]bool{}
	for after := int64(0); ctx.Err() == nil; {
		list, err := e.st.liveGseTasks(ctx, after, reconcileBatch)
		if err != nil {
			e.log.Warn("reconcile: load unfinished gse tasks", "err", err)
			return
		}
		for i := range list {
			after = list[i].ID
			live[list[i].GseTaskID] = true
			if err := e.reconcileTask(ctx, &list[i], now, startup); err != nil {
				e.log.Warn("reconcile gse task", "task_id", list[i].GseTaskID, "err", err)
			}
		}
		if len(list) < reconcileBatch {
			e.lost.keepOnly(live)
			break
		}
	}
	if startup && jobs > 0 {
		e.log.Info("resumed unfinished jobs", "jobs", jobs)
	}
}

// reconcileJob re-sends the event an idle unfinished job waits for.
func (e *Engine) reconcileJob(ctx context.Context, job *taskInstance, idle int64) error {
	if job.Status == int(execute.StatusBlank) {
		if job.UpdateTime < idle {
			e.publishJob(ctx, jobStart, job.ID)
		}
		return nil
	}
	if job.CurrentStepID == 0 {
		return nil
	}
	s, err := e.st.step(ctx, job.CurrentStepID)
	if err != nil {
		return ignoreNotFound(err)
	}
	switch execute.RunStatus(s.Status) {
	case execute.StatusBlank:
		if s.UpdateTime < idle {
			e.publishStep(ctx, stepStart, s)
		}
	case execute.StatusRunning, execute.StatusStopping:
		g, err := e.st.gseTask(ctx, taskKey{s.ID, s.ExecuteCount, s.Batch})
		if err != nil {
			return err
		}
		if g != nil && execute.RunStatus(g.Status).Finished() && g.EndTime < idle {
			e.publishStep(ctx, stepRefresh, s)
		}
	default:
		if s.UpdateTime < idle || job.UpdateTime < idle {
			e.publishJob(ctx, jobRefresh, job.ID)
		}
	}
	return nil
}

// reconcileTask looks after one gse task that has not finished.
func (e *Engine) reconcileTask(ctx context.Context, g *gseTask, now int64, startup bool) error {
	k := taskKey{g.StepInstanceID, g.ExecuteCount, g.Batch}
	switch execute.RunStatus(g.Status) {
	case execute.StatusBlank:
		return e.dispatch(ctx, k)
	case execute.StatusRunning:
		// The deadline first: a task the transport keeps refusing as
		// unavailable stays undispatched, and must still end.
		if deadline := g.StartTime + int64(g.Timeout)*1000 + e.opts.TimeoutGrace.Milliseconds(); now > deadline {
			return e.expire(ctx, k, g, gse.HostStatusTaskTimeout, gse.ErrorCodeOther, "no result within the timeout")
		}
		if g.Dispatched == 0 {
			return e.dispatch(ctx, k)
		}
		if err := e.checkLost(ctx, k, g, now); err != nil {
			return err
		}
	case execute.StatusStopping:
		if now-g.StopTime > e.opts.StopGrace.Milliseconds() {
			return e.expire(ctx, k, g, gse.HostStatusTerminateSuccess, gse.ErrorCodeTerminated, "terminated")
		}
		if startup {
			return e.stopTransport(ctx, k)
		}
	}
	return e.finishIfDone(ctx, k)
}

// expire gives every host of k that never reported a final status and stops
// the task on the transport.
func (e *Engine) expire(ctx context.Context, k taskKey, g *gseTask, status, code int, msg string) error {
	n, err := e.st.failUnfinished(ctx, k, status, code, msg, e.nowMS())
	if err != nil {
		return err
	}
	if n > 0 {
		e.log.Warn("hosts expired", "task_id", g.GseTaskID, "hosts", n, "status", status)
		if err := e.tr.Stop(ctx, g.GseTaskID, nil); err != nil {
			e.log.Warn("stop task on transport", "task_id", g.GseTaskID, "err", err)
		}
	}
	return e.finishIfDone(ctx, k)
}
