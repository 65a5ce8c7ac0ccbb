package executeimpl

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
)

func (e *Engine) onStepEvent(ctx context.Context, ev stepEvent) error {
	switch ev.Action {
	case stepStart:
		return e.startStep(ctx, ev)
	case stepRefresh:
		return e.refreshStep(ctx, ev)
	case stepStop:
		return e.stopTransport(ctx, taskKey{ev.StepInstanceID, ev.ExecuteCount, ev.Batch})
	}
	e.log.Warn("unknown step event", "action", ev.Action, "step_instance_id", ev.StepInstanceID)
	return nil
}

// startStep begins a step (BLANK → RUNNING) or its next rolling batch
// (ROLLING_WAITING | IGNORE_ERROR → RUNNING), writing the gse task and its
// host rows in the same transaction as the claim, then dispatches. A
// duplicate event for a step already running just re-checks the dispatch.
func (e *Engine) startStep(ctx context.Context, ev stepEvent) error {
	s, err := e.st.step(ctx, ev.StepInstanceID)
	if err != nil {
		return ignoreNotFound(err)
	}
	job, err := e.st.job(ctx, s.TaskInstanceID)
	if err != nil {
		return ignoreNotFound(err)
	}
	if job.Status != int(execute.StatusRunning) || job.CurrentStepID != s.ID {
		return nil
	}
	switch {
	case s.Status == int(execute.StatusBlank):
		batch := 0
		if s.rolling() {
			batch = 1
		}
		if err := e.beginRun(ctx, s, []int{int(execute.StatusBlank)}, batch, s.ExecuteCount, retryNone); err != nil {
			return err
		}
		s.Batch = batch
	case (s.Status == int(execute.StatusRollingWaiting) || s.Status == int(execute.StatusIgnoreError)) &&
		s.rolling() && ev.Batch == s.Batch+1 && ev.Batch <= s.TotalBatch:
		from := []int{int(execute.StatusRollingWaiting), int(execute.StatusIgnoreError)}
		if err := e.beginRun(ctx, s, from, ev.Batch, s.ExecuteCount, retryNone); err != nil {
			return err
		}
		s.Batch = ev.Batch
	case s.Status == int(execute.StatusRunning) && ev.Batch == s.Batch:
	default:
		return nil
	}
	return e.dispatch(ctx, taskKey{s.ID, s.ExecuteCount, s.Batch})
}

// Retry modes of planRun.
const (
	retryNone = iota
	retryFailed
	retryAll
)

// beginRun claims the step for (batch, executeCount) and writes the run.
// Losing the claim (another engine won) is not an error.
func (e *Engine) beginRun(ctx context.Context, s *stepInstance, from []int, batch, executeCount, retry int) error {
	rows, err := e.planRun(ctx, s, batch, executeCount, retry)
	if err != nil {
		return err
	}
	now := e.nowMS()
	k := taskKey{s.ID, executeCount, batch}
	g := &gseTask{StepInstanceID: s.ID, ExecuteCount: executeCount, Batch: batch, Status: int(execute.StatusBlank),
		GseTaskID: k.transportID(), Timeout: s.Timeout, StartTime: now}
	set := map[string]any{"status": int(execute.StatusRunning), "batch": batch, "execute_count": executeCount,
		"end_time": 0, "total_time": 0, "update_time": now}
	if s.StartTime == 0 {
		set["start_time"] = now
	}
	where := map[string]any{"execute_count": s.ExecuteCount, "batch": s.Batch}
	return e.st.tx(ctx, func(tx *gorm.DB) error {
		ok, err := e.st.claimStep(ctx, tx, s.ID, from, where, set)
		if err != nil || !ok {
			return err
		}
		return e.st.insertRun(ctx, tx, g, rows, s.rolling())
	})
}

// planRun lays out the host rows of one run: hosts that were invalid at
// creation keep that status, hosts whose agent is not alive get
// AGENT_ERROR, and on a retry of failed hosts the hosts that succeeded keep
// their result and actual execute count.
func (e *Engine) planRun(ctx context.Context, s *stepInstance, batch, executeCount, retry int) ([]hostTask, error) {
	hosts, err := e.st.stepHosts(ctx, s.ID, batch)
	if err != nil {
		return nil, err
	}
	prev := map[int64]hostTask{}
	if retry == retryFailed {
		old, err := e.st.hostTasks(ctx, taskKey{s.ID, executeCount - 1, batch}, nil)
		if err != nil {
			return nil, err
		}
		for _, r := range old {
			prev[r.HostID] = r
		}
	}
	now := e.nowMS()
	rows := make([]hostTask, 0, len(hosts))
	var check []gse.Host
	for _, h := range hosts {
		if p, ok := prev[h.HostID]; ok && execute.HostSucceeded(p.Status) {
			p.ID, p.ExecuteCount, p.GseTaskID = 0, executeCount, 0
			rows = append(rows, p)
			continue
		}
		r := hostTask{StepInstanceID: s.ID, ExecuteCount: executeCount, ActualExecuteCount: executeCount, Batch: batch,
			Mode: 1, HostID: h.HostID, CloudID: h.CloudID, IP: h.IP, IPv6: h.IPv6, AgentID: h.AgentID, Status: gse.HostStatusWaiting}
		if h.InvalidStatus != hostValid {
			r.Status, r.ErrorCode, r.ErrorMsg, r.StartTime, r.EndTime = h.InvalidStatus, gse.ErrorCodeOther, "host is not in the business", now, now
		} else {
			check = append(check, gse.Host{ID: h.HostID, CloudID: h.CloudID, IP: h.IP, AgentID: h.AgentID})
		}
		rows = append(rows, r)
	}
	check, err = e.currentHosts(ctx, s.ID, check)
	if err != nil {
		return nil, err
	}
	alive := e.agentsAlive(ctx, check)
	for i := range rows {
		if rows[i].Status == gse.HostStatusWaiting && !alive[rows[i].HostID] {
			rows[i].Status, rows[i].ErrorCode, rows[i].ErrorMsg = gse.HostStatusAgentError, gse.ErrorCodeOther, "agent is not running"
			rows[i].StartTime, rows[i].EndTime = now, now
		}
	}
	return rows, nil
}

// currentHosts refreshes hosts from the inventory (agent id, SSH endpoint)
// as they are now; hosts no longer there keep what the step recorded.
func (e *Engine) currentHosts(ctx context.Context, stepID int64, hosts []gse.Host) ([]gse.Host, error) {
	if len(hosts) == 0 {
		return hosts, nil
	}
	meta, err := e.steps.get(ctx, e.st, stepID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(hosts))
	for _, h := range hosts {
		ids = append(ids, h.ID)
	}
	found, err := e.hosts.Resolve(ctx, meta.BizID, ids, nil)
	if err != nil {
		return nil, err
	}
	now := make(map[int64]gse.Host, len(found))
	for _, f := range found {
		if f.Known {
			now[f.ID] = f.Host
		}
	}
	out := make([]gse.Host, len(hosts))
	for i, h := range hosts {
		if f, ok := now[h.ID]; ok {
			h = f
		}
		out[i] = h
	}
	return out, nil
}

// agentsAlive asks the transport which agents are up. When the transport
// cannot say, every host is taken as alive and the dispatch finds out.
func (e *Engine) agentsAlive(ctx context.Context, hosts []gse.Host) map[int64]bool {
	alive := make(map[int64]bool, len(hosts))
	if len(hosts) == 0 {
		return alive
	}
	states, err := e.tr.AgentStatus(ctx, hosts)
	if err != nil {
		e.log.Warn("agent status unavailable, dispatching to every host", "hosts", len(hosts), "err", err)
		for _, h := range hosts {
			alive[h.ID] = true
		}
		return alive
	}
	for _, st := range states {
		if st.Alive {
			alive[st.HostID] = true
		}
	}
	return alive
}

// refreshStep folds a finished gse task into its step (bk-job's Step
// REFRESH), then lets the job move on.
func (e *Engine) refreshStep(ctx context.Context, ev stepEvent) error {
	s, err := e.st.step(ctx, ev.StepInstanceID)
	if err != nil {
		return ignoreNotFound(err)
	}
	if s.ExecuteCount != ev.ExecuteCount || s.Batch != ev.Batch || !in(s.Status, stepLive) {
		return nil
	}
	k := taskKey{s.ID, s.ExecuteCount, s.Batch}
	g, err := e.st.gseTask(ctx, k)
	if err != nil || g == nil || !execute.RunStatus(g.Status).Finished() {
		return err
	}
	status, err := e.stepOutcome(ctx, s, execute.RunStatus(g.Status))
	if err != nil {
		return err
	}
	now := e.nowMS()
	set := map[string]any{"status": int(status), "update_time": now}
	if status.Finished() {
		set["end_time"], set["total_time"] = now, elapsed(s.StartTime, now)
	}
	ok, err := e.st.claimStep(ctx, nil, s.ID, stepLive, map[string]any{"execute_count": s.ExecuteCount, "batch": s.Batch}, set)
	if err != nil || !ok {
		return err
	}
	e.log.Info("step refreshed", "step_instance_id", s.ID, "execute_count", s.ExecuteCount, "batch", s.Batch, "status", status.String())
	e.publishJob(ctx, jobRefresh, s.TaskInstanceID)
	return nil
}

// stepOutcome decides the step status after its current gse task ended.
func (e *Engine) stepOutcome(ctx context.Context, s *stepInstance, g execute.RunStatus) (execute.RunStatus, error) {
	more := s.rolling() && s.Batch < s.TotalBatch
	switch g {
	case execute.StatusStopSuccess:
		return execute.StatusStopSuccess, nil
	case execute.StatusSuccess:
		switch {
		case more && s.RollingMode == execute.RollingManual:
			return execute.StatusWaitingUser, nil
		case more:
			return execute.StatusRollingWaiting, nil
		case s.rolling() && s.RollingMode == execute.RollingIgnoreFailure:
			failed, err := e.anyBatchFailed(ctx, s.ID)
			if err != nil || !failed {
				return execute.StatusSuccess, err
			}
			return execute.StatusIgnoreError, nil
		}
		return execute.StatusSuccess, nil
	case execute.StatusFail:
		switch {
		case more && s.RollingMode == execute.RollingIgnoreFailure:
			return execute.StatusRollingWaiting, nil
		case s.IgnoreError == 1 || s.rolling() && s.RollingMode == execute.RollingIgnoreFailure:
			return execute.StatusIgnoreError, nil
		}
		return execute.StatusFail, nil
	}
	return g, nil
}

// anyBatchFailed reports whether the latest run of any batch failed.
func (e *Engine) anyBatchFailed(ctx context.Context, stepID int64) (bool, error) {
	tasks, err := e.st.rollingTasks(ctx, stepID)
	if err != nil {
		return false, err
	}
	latest := map[int]int{}
	for _, t := range tasks { // ordered by batch, execute count
		latest[t.Batch] = t.Status
	}
	for _, st := range latest {
		if st == int(execute.StatusFail) {
			return true, nil
		}
	}
	return false, nil
}

// stopTransport asks the transport to stop a task being terminated.
func (e *Engine) stopTransport(ctx context.Context, k taskKey) error {
	g, err := e.st.gseTask(ctx, k)
	if err != nil || g == nil || g.Status != int(execute.StatusStopping) {
		return err
	}
	if err := e.tr.Stop(ctx, g.GseTaskID, nil); err != nil {
		e.log.Warn("stop task on transport", "task_id", g.GseTaskID, "err", err)
	}
	return e.finishIfDone(ctx, k)
}

func ignoreNotFound(err error) error {
	if errors.Is(err, execute.ErrJobNotFound) || errors.Is(err, execute.ErrStepNotFound) {
		return nil
	}
	return err
}
