package executeimpl

import (
	"context"
	"encoding/json"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/platform/errs"
)

// loadJob resolves the scope and loads a job instance of it.
func (e *Engine) loadJob(ctx context.Context, ref execute.ScopeRef, jobID int64) (*taskInstance, error) {
	if jobID <= 0 {
		return nil, errs.Required("job_instance_id").Withf("is required: a positive job instance id")
	}
	sc, err := e.scope(ctx, ref)
	if err != nil {
		return nil, err
	}
	job, err := e.st.job(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if job.BizID != sc.BizID {
		return nil, execute.ErrJobNotFound.Withf("job instance %d not found in scope %s:%s", jobID, sc.Type, sc.ID).OnField("job_instance_id")
	}
	return job, nil
}

// loadStep loads a job and one of its steps.
func (e *Engine) loadStep(ctx context.Context, ref execute.StepRef) (*taskInstance, *stepInstance, error) {
	job, err := e.loadJob(ctx, ref.ScopeRef, ref.JobInstanceID)
	if err != nil {
		return nil, nil, err
	}
	if ref.StepInstanceID <= 0 {
		return nil, nil, errs.Required("step_instance_id").Withf("is required: a positive step instance id")
	}
	s, err := e.st.step(ctx, ref.StepInstanceID)
	if err != nil {
		return nil, nil, err
	}
	if s.TaskInstanceID != job.ID {
		return nil, nil, execute.ErrStepNotFound.Withf("step instance %d is not in job instance %d", s.ID, job.ID).OnField("step_instance_id")
	}
	return job, s, nil
}

func opLog(job *taskInstance, s *stepInstance, code int, c execute.Caller, now int64, detail map[string]any) *operationLog {
	op := &operationLog{TaskInstanceID: job.ID, OpCode: code, Operator: c.Username, AppCode: c.AppCode, CreateTime: now}
	if s != nil {
		op.StepInstanceID, op.ExecuteCount = s.ID, s.ExecuteCount
	}
	if detail != nil {
		b, _ := json.Marshal(detail)
		op.Detail = string(b)
	}
	return op
}

// OperateJobInstance implements execute.Service: 1 terminates the job.
func (e *Engine) OperateJobInstance(ctx context.Context, req execute.OperateJobInstanceRequest) (execute.OperateJobResult, error) {
	switch req.OperationCode {
	case execute.JobOpTerminate:
	case execute.JobOpStart:
		return execute.OperateJobResult{}, execute.NotSupported("operation_code", "starting a created job (2); jobs start when created")
	default:
		return execute.OperateJobResult{}, errs.Invalid("operation_code", "unknown operation code %d; 1 terminates the job", req.OperationCode)
	}
	job, err := e.loadJob(ctx, req.ScopeRef, req.JobInstanceID)
	if err != nil {
		return execute.OperateJobResult{}, err
	}
	if err := e.terminate(ctx, job, req.Caller); err != nil {
		return execute.OperateJobResult{}, err
	}
	return execute.OperateJobResult{JobInstanceID: job.ID}, nil
}

// terminate: job → STOPPING; its running step → STOPPING and its gse task
// stopped; a step that is not running ends at once; the job ends
// STOP_SUCCESS when the step is no longer running.
func (e *Engine) terminate(ctx context.Context, job *taskInstance, c execute.Caller) error {
	if job.Status != int(execute.StatusRunning) && job.Status != int(execute.StatusWaitingUser) {
		return notAllowed("terminate the job", "it", job.Status, "")
	}
	s, err := e.st.step(ctx, job.CurrentStepID)
	if err != nil {
		return err
	}
	k := taskKey{s.ID, s.ExecuteCount, s.Batch}
	g, err := e.st.gseTask(ctx, k)
	if err != nil {
		return err
	}
	now := e.nowMS()
	var stopG, undispatched bool
	err = e.st.tx(ctx, func(tx *gorm.DB) error {
		ok, err := e.st.claimJob(ctx, tx, job.ID, []int{int(execute.StatusRunning), int(execute.StatusWaitingUser)},
			map[string]any{"status": int(execute.StatusStopping), "update_time": now})
		if err != nil {
			return err
		}
		if !ok {
			return changedMeanwhile("terminate the job", "it")
		}
		if err := e.st.addOperation(ctx, tx, opLog(job, s, execute.OpTerminateJob, c, now, nil)); err != nil {
			return err
		}
		if s.Status != int(execute.StatusRunning) {
			return nil // refreshJob ends a step that is not running
		}
		if _, err := e.st.claimStep(ctx, tx, s.ID, []int{int(execute.StatusRunning)}, nil,
			map[string]any{"status": int(execute.StatusStopping), "update_time": now}); err != nil {
			return err
		}
		if g == nil {
			return nil
		}
		// Claim from BLANK first: only a task no dispatcher has claimed yet
		// may have its hosts ended without asking the transport.
		stop := map[string]any{"status": int(execute.StatusStopping), "stop_time": now}
		undispatched, err = e.st.claimGseTask(ctx, tx, g.ID, []int{int(execute.StatusBlank)}, nil, stop)
		if err != nil || undispatched {
			stopG = undispatched
			return err
		}
		stopG, err = e.st.claimGseTask(ctx, tx, g.ID, []int{int(execute.StatusRunning)}, nil, stop)
		return err
	})
	if err != nil {
		return err
	}
	e.log.Info("job terminating", "job_instance_id", job.ID, "operator", c.Username)
	if stopG {
		if undispatched {
			if _, err := e.st.failUnfinished(ctx, k, gse.HostStatusTerminateSuccess, gse.ErrorCodeTerminated, "terminated before dispatch", now); err != nil {
				return err
			}
			if err := e.finishIfDone(ctx, k); err != nil {
				return err
			}
		} else {
			e.publishStep(ctx, stepStop, s)
		}
	}
	e.publishJob(ctx, jobRefresh, job.ID)
	return nil
}

// OperateStepInstance implements execute.Service.
func (e *Engine) OperateStepInstance(ctx context.Context, req execute.OperateStepInstanceRequest) (execute.OperateStepResult, error) {
	switch req.OperationCode {
	case execute.StepOpRetryFail, execute.StepOpRetryAll, execute.StepOpIgnoreError, execute.StepOpNextStep,
		execute.StepOpSkip, execute.StepOpRollingContinue:
	case execute.StepOpConfirmContinue, execute.StepOpConfirmTerminate, execute.StepOpConfirmRestart:
	case execute.StepOpLegacyExecute, execute.StepOpLegacySkip:
		return execute.OperateStepResult{}, execute.NotSupported("operation_code", "legacy operation code %d (use 12 to skip)", req.OperationCode)
	default:
		return execute.OperateStepResult{}, errs.Invalid("operation_code", "unknown operation code %d", req.OperationCode)
	}
	job, s, err := e.loadStep(ctx, req.StepRef)
	if err != nil {
		return execute.OperateStepResult{}, err
	}
	res := execute.OperateStepResult{JobInstanceID: job.ID, StepInstanceID: s.ID}
	if s.ID != job.CurrentStepID {
		return res, execute.ErrOperationNotAllowed.Withf("cannot operate on step %d: it is not the current step of job %d", s.ID, job.ID)
	}
	switch req.OperationCode {
	case execute.StepOpRetryFail, execute.StepOpRetryAll:
		err = e.retry(ctx, job, s, req.OperationCode == execute.StepOpRetryFail, req.Caller)
	case execute.StepOpIgnoreError:
		err = e.moveOn(ctx, job, s, req.Caller, execute.OpIgnoreError, "ignore the error", "only a failed step's error can be ignored",
			[]int{int(execute.StatusFail), int(execute.StatusAbnormal)}, execute.StatusIgnoreError,
			[]int{int(execute.StatusFail), int(execute.StatusAbnormal)})
	case execute.StepOpNextStep:
		err = e.moveOn(ctx, job, s, req.Caller, execute.OpNextStep, "go to the next step", "only a terminated step can be passed over",
			[]int{int(execute.StatusStopSuccess)}, execute.StatusSkipped, []int{int(execute.StatusStopSuccess)})
	case execute.StepOpSkip:
		err = e.moveOn(ctx, job, s, req.Caller, execute.OpSkipStep, "skip the step", "only a step being terminated can be skipped",
			[]int{int(execute.StatusStopping)}, execute.StatusSkipped, []int{int(execute.StatusStopping)})
	case execute.StepOpRollingContinue:
		if !s.rolling() {
			return res, execute.ErrOperationNotAllowed.Withf("cannot continue the rolling: step %d is not a rolling step", s.ID)
		}
		err = e.moveOn(ctx, job, s, req.Caller, execute.OpRollingContinue, "continue the rolling", "only a rolling step waiting for the user can continue",
			[]int{int(execute.StatusWaitingUser)}, execute.StatusRollingWaiting, []int{int(execute.StatusWaitingUser)})
	default:
		return res, execute.ErrOperationNotAllowed.Withf("cannot apply operation %d to step %d: it applies to manual confirmation steps only", req.OperationCode, s.ID)
	}
	return res, err
}

// moveOn moves the step from stepFrom to to and the job from jobFrom back to
// RUNNING, records the operation, and lets the job continue.
func (e *Engine) moveOn(ctx context.Context, job *taskInstance, s *stepInstance, c execute.Caller, op int, what, needs string,
	stepFrom []int, to execute.RunStatus, jobFrom []int) error {
	if !in(s.Status, stepFrom) {
		return notAllowed(what, "the step", s.Status, needs)
	}
	if !in(job.Status, jobFrom) && job.Status != int(execute.StatusRunning) {
		return notAllowed(what, "the job", job.Status, "")
	}
	now := e.nowMS()
	err := e.st.tx(ctx, func(tx *gorm.DB) error {
		set := map[string]any{"status": int(to), "update_time": now}
		if to.Finished() {
			set["end_time"], set["total_time"] = now, elapsed(s.StartTime, now)
		}
		ok, err := e.st.claimStep(ctx, tx, s.ID, stepFrom, map[string]any{"execute_count": s.ExecuteCount}, set)
		if err != nil {
			return err
		}
		if !ok {
			return changedMeanwhile(what, "the step")
		}
		if in(job.Status, jobFrom) {
			ok, err := e.st.claimJob(ctx, tx, job.ID, jobFrom,
				map[string]any{"status": int(execute.StatusRunning), "end_time": 0, "total_time": 0, "update_time": now})
			if err != nil {
				return err
			}
			if !ok {
				return changedMeanwhile(what, "the job")
			}
		}
		return e.st.addOperation(ctx, tx, opLog(job, s, op, c, now, nil))
	})
	if err != nil {
		return err
	}
	e.log.Info("step operated", "step_instance_id", s.ID, "operation", op, "operator", c.Username)
	e.publishJob(ctx, jobRefresh, job.ID)
	return nil
}

// retry re-runs a failed, abnormal or terminated step as a new execute count:
// only its failed hosts, or all of them.
func (e *Engine) retry(ctx context.Context, job *taskInstance, s *stepInstance, failedOnly bool, c execute.Caller) error {
	stepFrom := []int{int(execute.StatusFail), int(execute.StatusAbnormal), int(execute.StatusStopSuccess)}
	what, needs := "retry all hosts", "only a failed or terminated step can be retried"
	op, mode := execute.OpRetryStepAll, retryAll
	if failedOnly {
		what, op, mode = "retry the failed hosts", execute.OpRetryStepFail, retryFailed
	}
	if !in(s.Status, stepFrom) {
		return notAllowed(what, "the step", s.Status, needs)
	}
	jobFrom := []int{int(execute.StatusFail), int(execute.StatusAbnormal), int(execute.StatusStopSuccess), int(execute.StatusRunning)}
	if !in(job.Status, jobFrom) {
		return notAllowed(what, "the job", job.Status, "")
	}
	count := s.ExecuteCount + 1
	rows, err := e.planRun(ctx, s, s.Batch, count, mode)
	if err != nil {
		return err
	}
	now := e.nowMS()
	k := taskKey{s.ID, count, s.Batch}
	g := &gseTask{StepInstanceID: s.ID, ExecuteCount: count, Batch: s.Batch, Status: int(execute.StatusBlank),
		GseTaskID: k.transportID(), Timeout: s.Timeout, StartTime: now}
	err = e.st.tx(ctx, func(tx *gorm.DB) error {
		ok, err := e.st.claimStep(ctx, tx, s.ID, stepFrom, map[string]any{"execute_count": s.ExecuteCount, "batch": s.Batch},
			map[string]any{"status": int(execute.StatusRunning), "execute_count": count, "end_time": 0, "total_time": 0, "update_time": now})
		if err != nil {
			return err
		}
		if !ok {
			return changedMeanwhile(what, "the step")
		}
		if job.Status != int(execute.StatusRunning) {
			ok, err := e.st.claimJob(ctx, tx, job.ID, jobFrom[:3],
				map[string]any{"status": int(execute.StatusRunning), "end_time": 0, "total_time": 0, "update_time": now})
			if err != nil {
				return err
			}
			if !ok {
				return changedMeanwhile(what, "the job")
			}
		}
		if err := e.st.addOperation(ctx, tx, opLog(job, s, op, c, now, map[string]any{"execute_count": count})); err != nil {
			return err
		}
		return e.st.insertRun(ctx, tx, g, rows, s.rolling())
	})
	if err != nil {
		return err
	}
	e.log.Info("step retried", "step_instance_id", s.ID, "execute_count", count, "failed_only", failedOnly, "operator", c.Username)
	s.ExecuteCount = count
	e.publishStep(ctx, stepStart, s)
	return nil
}
