package executeimpl

import (
	"context"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/modules/execute"
)

// Status lists used by claims.
var (
	jobActive = []int{int(execute.StatusRunning), int(execute.StatusStopping), int(execute.StatusWaitingUser)}
	stepLive  = []int{int(execute.StatusRunning), int(execute.StatusStopping)}
)

func (e *Engine) onJobEvent(ctx context.Context, ev jobEvent) error {
	switch ev.Action {
	case jobStart:
		return e.startJob(ctx, ev.JobInstanceID)
	case jobRefresh, jobNextStep:
		return e.refreshJob(ctx, ev.JobInstanceID)
	case jobCallback:
		// Callbacks are rows of callback_delivery now, sent by the delivery
		// loop; an event queued by an older version only wakes it.
		e.cb.poke()
		return nil
	}
	e.log.Warn("unknown job event", "action", ev.Action, "job_instance_id", ev.JobInstanceID)
	return nil
}

// startJob: BLANK → RUNNING with the first step current, then start it.
func (e *Engine) startJob(ctx context.Context, jobID int64) error {
	job, err := e.st.job(ctx, jobID)
	if err != nil {
		return ignoreNotFound(err)
	}
	steps, err := e.st.jobSteps(ctx, jobID)
	if err != nil {
		return err
	}
	if len(steps) == 0 {
		return e.finishJob(ctx, job, nil, execute.StatusAbnormal)
	}
	first := &steps[0]
	if job.Status == int(execute.StatusBlank) {
		now := e.nowMS()
		ok, err := e.st.claimJob(ctx, nil, jobID, []int{int(execute.StatusBlank)},
			map[string]any{"status": int(execute.StatusRunning), "current_step_id": first.ID, "start_time": now, "update_time": now})
		if err != nil || !ok {
			return err
		}
		e.log.Info("job started", "job_instance_id", jobID)
	} else if job.Status != int(execute.StatusRunning) || job.CurrentStepID != first.ID {
		return nil
	}
	if first.Status == int(execute.StatusBlank) {
		e.publishStep(ctx, stepStart, first)
	}
	return nil
}

// refreshJob moves a job on after its current step changed (bk-job's Job
// REFRESH): next batch, next step, or the job's end.
func (e *Engine) refreshJob(ctx context.Context, jobID int64) error {
	job, err := e.st.job(ctx, jobID)
	if err != nil {
		return ignoreNotFound(err)
	}
	if !in(job.Status, jobActive) || job.CurrentStepID == 0 {
		return nil
	}
	s, err := e.st.step(ctx, job.CurrentStepID)
	if err != nil {
		return ignoreNotFound(err)
	}
	st := execute.RunStatus(s.Status)
	if job.Status == int(execute.StatusStopping) {
		return e.refreshStoppingJob(ctx, job, s)
	}
	switch st {
	case execute.StatusSuccess, execute.StatusSkipped, execute.StatusIgnoreError, execute.StatusRollingWaiting:
		if st != execute.StatusSuccess && st != execute.StatusSkipped && s.rolling() && s.Batch < s.TotalBatch {
			return e.nextBatch(ctx, job, s)
		}
		return e.nextStep(ctx, job, s)
	case execute.StatusFail, execute.StatusAbnormal, execute.StatusAbandoned, execute.StatusStopSuccess,
		execute.StatusConfirmStopped, execute.StatusTerminated:
		return e.finishJob(ctx, job, s, st)
	case execute.StatusWaitingUser:
		if job.Status == int(execute.StatusRunning) {
			_, err := e.st.claimJob(ctx, nil, job.ID, []int{int(execute.StatusRunning)},
				map[string]any{"status": int(execute.StatusWaitingUser), "update_time": e.nowMS()})
			return err
		}
	case execute.StatusBlank:
		e.publishStep(ctx, stepStart, s)
	}
	return nil
}

// refreshStoppingJob ends a terminated job once its step is not running.
func (e *Engine) refreshStoppingJob(ctx context.Context, job *taskInstance, s *stepInstance) error {
	switch execute.RunStatus(s.Status) {
	case execute.StatusRunning, execute.StatusStopping:
		return nil
	case execute.StatusBlank, execute.StatusRollingWaiting, execute.StatusWaitingUser:
		now := e.nowMS()
		ok, err := e.st.claimStep(ctx, nil, s.ID, []int{s.Status}, map[string]any{"execute_count": s.ExecuteCount}, map[string]any{
			"status": int(execute.StatusStopSuccess), "end_time": now, "total_time": elapsed(s.StartTime, now), "update_time": now})
		if err != nil || !ok {
			return err
		}
		s.Status = int(execute.StatusStopSuccess)
	}
	return e.finishJob(ctx, job, s, execute.StatusStopSuccess)
}

// nextBatch starts the next rolling batch of s.
func (e *Engine) nextBatch(ctx context.Context, job *taskInstance, s *stepInstance) error {
	if job.Status == int(execute.StatusWaitingUser) {
		if _, err := e.st.claimJob(ctx, nil, job.ID, []int{int(execute.StatusWaitingUser)},
			map[string]any{"status": int(execute.StatusRunning), "update_time": e.nowMS()}); err != nil {
			return err
		}
	}
	next := *s
	next.Batch = s.Batch + 1
	e.publishStep(ctx, stepStart, &next)
	return nil
}

// nextStep makes the step after s current, or ends the job.
func (e *Engine) nextStep(ctx context.Context, job *taskInstance, s *stepInstance) error {
	next, err := e.st.nextStep(ctx, job.ID, s.StepOrder)
	if err != nil {
		return err
	}
	if next == nil {
		return e.finishJob(ctx, job, s, execute.StatusSuccess)
	}
	// Move on only from the state this refresh read: a terminate (job now
	// STOPPING) or a later refresh (current step already past s) wins.
	if job.CurrentStepID != s.ID {
		return nil
	}
	ok, err := e.st.claimJobAfterStep(ctx, nil, job.ID, job.Status, s, map[string]any{
		"status": int(execute.StatusRunning), "current_step_id": next.ID, "update_time": e.nowMS()})
	if err != nil || !ok {
		return err
	}
	e.publishStep(ctx, stepStart, next)
	return nil
}

// finishJob gives the job its final status and, in the same transaction,
// queues its callback as a pending delivery. The claim holds only while the
// job and its step s (nil: none) are as they were read: an operation that
// moved either meanwhile (skip, retry, ignore error) wins, and its own
// event moves the job on.
func (e *Engine) finishJob(ctx context.Context, job *taskInstance, s *stepInstance, status execute.RunStatus) error {
	now := e.nowMS()
	set := map[string]any{"status": int(status), "end_time": now, "total_time": elapsed(job.StartTime, now), "update_time": now}
	if job.CallbackURL != "" {
		set["callback_status"] = callbackPending
	}
	var ok bool
	err := e.st.tx(ctx, func(tx *gorm.DB) error {
		var err error
		ok, err = e.st.claimJobAfterStep(ctx, tx, job.ID, job.Status, s, set)
		if err != nil || !ok || job.CallbackURL == "" {
			return err
		}
		return e.st.queueCallback(ctx, tx, job.ID, job.CallbackURL, int(status), now)
	})
	if err != nil || !ok {
		return err
	}
	e.log.Info("job finished", "job_instance_id", job.ID, "status", status.String())
	if job.CallbackURL != "" {
		e.cb.poke()
	}
	return nil
}

func elapsed(start, end int64) int64 {
	if start <= 0 || end < start {
		return 0
	}
	return end - start
}

func in(v int, list []int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
