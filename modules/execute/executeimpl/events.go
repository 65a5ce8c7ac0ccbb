package executeimpl

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Job event actions (bk-job JobEvent).
const (
	jobStart    = 1
	jobStop     = 2
	jobRefresh  = 4
	jobNextStep = 6
	jobCallback = 7
)

// Step event actions (bk-job StepEvent).
const (
	stepStart   = 1
	stepStop    = 4
	stepRefresh = 14
)

// jobEvent drives a task instance.
type jobEvent struct {
	Action        int   `json:"action"`
	JobInstanceID int64 `json:"job_instance_id"`
}

// stepEvent drives a step instance. Batch is the rolling batch the event is
// about (0 for a step that does not roll); ExecuteCount pins refreshes to one
// run so a stale one is ignored.
type stepEvent struct {
	Action         int   `json:"action"`
	JobInstanceID  int64 `json:"job_instance_id"`
	StepInstanceID int64 `json:"step_instance_id"`
	ExecuteCount   int   `json:"execute_count"`
	Batch          int   `json:"batch"`
}

// publishJob sends a job event. A failure is logged, not returned: the state
// it follows is already in the database and the reconcile loop re-sends it.
func (e *Engine) publishJob(ctx context.Context, action int, jobID int64) {
	ev := jobEvent{Action: action, JobInstanceID: jobID}
	if err := e.bus.Publish(ctx, topicJob, ev); err != nil {
		e.log.Warn("publish job event", "job_instance_id", jobID, "action", action, "err", err)
	}
}

// publishStep sends a step event; failures are left to the reconcile loop.
func (e *Engine) publishStep(ctx context.Context, action int, s *stepInstance) {
	ev := stepEvent{Action: action, JobInstanceID: s.TaskInstanceID, StepInstanceID: s.ID,
		ExecuteCount: s.ExecuteCount, Batch: s.Batch}
	if err := e.bus.Publish(ctx, topicStep, ev); err != nil {
		e.log.Warn("publish step event", "step_instance_id", s.ID, "action", action, "err", err)
	}
}

// taskKey names one gse task: a step's run (execute count) of one batch.
type taskKey struct {
	StepInstanceID int64
	ExecuteCount   int
	Batch          int
}

// transportID is the deterministic task id handed to the transport, so a
// restarted engine recognises results of tasks it dispatched before.
func (k taskKey) transportID() string {
	return fmt.Sprintf("%d:%d:%d", k.StepInstanceID, k.ExecuteCount, k.Batch)
}

// parseTaskID reverses transportID.
func parseTaskID(id string) (taskKey, error) {
	f := strings.Split(id, ":")
	if len(f) != 3 {
		return taskKey{}, fmt.Errorf("task id %q: want <step>:<execute count>:<batch>", id)
	}
	step, err1 := strconv.ParseInt(f[0], 10, 64)
	count, err2 := strconv.Atoi(f[1])
	batch, err3 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return taskKey{}, fmt.Errorf("task id %q: want <step>:<execute count>:<batch>", id)
	}
	return taskKey{StepInstanceID: step, ExecuteCount: count, Batch: batch}, nil
}
