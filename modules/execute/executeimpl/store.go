package executeimpl

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
)

// store is the engine's persistence. Every mutation that moves a status is a
// claim: it names the statuses it moves from and reports whether it won, so
// concurrent engines never both act on one transition.
type store interface {
	callbackStore

	// createJob inserts a job with its steps, hosts and operation log in one
	// transaction. admit, when not nil, runs first in that transaction
	// (serialised with every other admitting create: quotaTx) and refuses
	// the job by returning an error.
	createJob(ctx context.Context, job *taskInstance, steps []newStep, op *operationLog, admit func(tx *gorm.DB) error) error

	job(ctx context.Context, id int64) (*taskInstance, error)
	step(ctx context.Context, id int64) (*stepInstance, error)
	jobSteps(ctx context.Context, jobID int64) ([]stepInstance, error)
	nextStep(ctx context.Context, jobID int64, order int) (*stepInstance, error)
	stepHosts(ctx context.Context, stepID int64, batch int) ([]stepHost, error)
	// stepHost is one target of a step; nil when the host is not one.
	stepHost(ctx context.Context, stepID, hostID int64) (*stepHost, error)
	// stepTargets are the targets of a step among hostIDs and ips, by seq.
	stepTargets(ctx context.Context, stepID int64, hostIDs []int64, ips []execute.IP) ([]stepHost, error)
	unfinishedJobs(ctx context.Context, afterID int64, limit int) ([]taskInstance, error)
	listJobs(ctx context.Context, q jobQuery) ([]taskInstance, int64, error)
	stepMeta(ctx context.Context, stepID int64) (stepMeta, error)

	gseTask(ctx context.Context, k taskKey) (*gseTask, error)
	liveGseTasks(ctx context.Context, afterID int64, limit int) ([]gseTask, error)
	hostTasks(ctx context.Context, k taskKey, hostIDs []int64) ([]hostTask, error)
	viewRows(ctx context.Context, stepID int64, executeCount int, batch *int) ([]hostTask, error)
	hostViewRows(ctx context.Context, stepID int64, executeCount int, hostID int64) ([]hostTask, error)
	// hostView is viewRows for one host of one batch; nil when it has no row yet.
	hostView(ctx context.Context, stepID int64, executeCount, batch int, hostID int64) (*hostTask, error)
	countUnfinished(ctx context.Context, k taskKey) (int64, error)
	countNotSucceeded(ctx context.Context, k taskKey) (int64, error)
	rollingTasks(ctx context.Context, stepID int64) ([]rollingTask, error)

	// claimJob moves a job from one of from to the fields of set.
	claimJob(ctx context.Context, tx *gorm.DB, id int64, from []int, set map[string]any) (bool, error)
	// claimJobAfterStep moves a job from status from, provided step (when
	// not nil) still has the status and execute count it was read with.
	claimJobAfterStep(ctx context.Context, tx *gorm.DB, id int64, from int, step *stepInstance, set map[string]any) (bool, error)
	claimStep(ctx context.Context, tx *gorm.DB, id int64, from []int, where map[string]any, set map[string]any) (bool, error)
	claimGseTask(ctx context.Context, tx *gorm.DB, id int64, from []int, where map[string]any, set map[string]any) (bool, error)
	insertRun(ctx context.Context, tx *gorm.DB, g *gseTask, rows []hostTask, rolling bool) error
	finishRolling(ctx context.Context, k taskKey, status int, now int64) error
	failUnfinished(ctx context.Context, k taskKey, status, errorCode int, msg string, now int64) (int64, error)
	// failHosts is failUnfinished for the hosts hostIDs only.
	failHosts(ctx context.Context, k taskKey, hostIDs []int64, status, errorCode int, msg string, now int64) (int64, error)
	applyHostUpdates(ctx context.Context, ups []hostUpdate) error
	addOperation(ctx context.Context, tx *gorm.DB, op *operationLog) error
	// operations are a job's operation log, newest first, at most limit.
	operations(ctx context.Context, jobID int64, limit int) ([]operationLog, error)

	tx(ctx context.Context, fn func(tx *gorm.DB) error) error
}

// newStep is a step with its target hosts, for createJob.
type newStep struct {
	step  *stepInstance
	hosts []stepHost
}

// stepMeta is what the sink needs to know about a step, cached.
type stepMeta struct {
	BizID         int64
	JobInstanceID int64
	JobCreated    int64
	Type          int
	Rolling       bool
}

// hostUpdate is one change the sink makes to a host task row.
type hostUpdate struct {
	id        int64
	logOffset int64        // > 0: raise log_offset to this
	result    *finalResult // nil: no final status; applied only while the row is unfinished
	running   bool         // WAITING → RUNNING on first sign of life, at start
	start     int64
}

// finalResult is a host's final result as stored.
type finalResult struct {
	status, exitCode, errorCode int
	errorMsg, tag               string
	start, end                  int64
}

type gormStore struct {
	db *gorm.DB
}

var _ store = (*gormStore)(nil)

// unfinishedHost are the host statuses of a host still expected to report.
var unfinishedHost = []int{gse.HostStatusWaiting, gse.HostStatusRunning}

// insertChunk bounds multi-row INSERTs (SQLite allows 32766 variables).
const insertChunk = 500

func (s *gormStore) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

func (s *gormStore) conn(ctx context.Context, tx *gorm.DB) *gorm.DB {
	if tx != nil {
		return tx
	}
	return s.db.WithContext(ctx)
}

func (s *gormStore) createJob(ctx context.Context, job *taskInstance, steps []newStep, op *operationLog, admit func(tx *gorm.DB) error) error {
	run := s.tx
	if admit != nil {
		run = s.quotaTx
	}
	return run(ctx, func(tx *gorm.DB) error {
		if admit != nil {
			if err := admit(tx); err != nil {
				return err
			}
		}
		if err := tx.Create(job).Error; err != nil {
			return fmt.Errorf("insert task instance: %w", err)
		}
		seen := map[int64]bool{}
		var taskHosts []taskHost
		for _, ns := range steps {
			ns.step.TaskInstanceID = job.ID
			if err := tx.Create(ns.step).Error; err != nil {
				return fmt.Errorf("insert step instance: %w", err)
			}
			for i := range ns.hosts {
				ns.hosts[i].StepInstanceID = ns.step.ID
				h := ns.hosts[i]
				if !seen[h.HostID] {
					seen[h.HostID] = true
					taskHosts = append(taskHosts, taskHost{TaskInstanceID: job.ID, HostID: h.HostID, CloudID: h.CloudID, IP: h.IP, IPv6: h.IPv6})
				}
			}
			if len(ns.hosts) > 0 {
				if err := tx.CreateInBatches(ns.hosts, insertChunk).Error; err != nil {
					return fmt.Errorf("insert step hosts: %w", err)
				}
			}
		}
		if len(taskHosts) > 0 {
			if err := tx.CreateInBatches(taskHosts, insertChunk).Error; err != nil {
				return fmt.Errorf("insert task hosts: %w", err)
			}
		}
		if op != nil {
			op.TaskInstanceID = job.ID
			if len(steps) > 0 {
				op.StepInstanceID = steps[0].step.ID
			}
			if err := tx.Create(op).Error; err != nil {
				return fmt.Errorf("insert operation log: %w", err)
			}
		}
		return nil
	})
}

func (s *gormStore) job(ctx context.Context, id int64) (*taskInstance, error) {
	var j taskInstance
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&j).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, execute.ErrJobNotFound.Withf("job instance %d not found", id).OnField("job_instance_id")
	}
	if err != nil {
		return nil, fmt.Errorf("load task instance %d: %w", id, err)
	}
	return &j, nil
}

func (s *gormStore) step(ctx context.Context, id int64) (*stepInstance, error) {
	var st stepInstance
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&st).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, execute.ErrStepNotFound.Withf("step instance %d not found", id).OnField("step_instance_id")
	}
	if err != nil {
		return nil, fmt.Errorf("load step instance %d: %w", id, err)
	}
	return &st, nil
}

func (s *gormStore) jobSteps(ctx context.Context, jobID int64) ([]stepInstance, error) {
	var out []stepInstance
	err := s.db.WithContext(ctx).Where("task_instance_id = ?", jobID).Order("step_order, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load steps of task instance %d: %w", jobID, err)
	}
	return out, nil
}

func (s *gormStore) nextStep(ctx context.Context, jobID int64, order int) (*stepInstance, error) {
	var out []stepInstance
	err := s.db.WithContext(ctx).Where("task_instance_id = ? AND step_order > ?", jobID, order).
		Order("step_order, id").Limit(1).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load next step of task instance %d: %w", jobID, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}

func (s *gormStore) stepHosts(ctx context.Context, stepID int64, batch int) ([]stepHost, error) {
	q := s.db.WithContext(ctx).Where("step_instance_id = ?", stepID)
	if batch >= 0 {
		q = q.Where("batch = ?", batch)
	}
	var out []stepHost
	if err := q.Order("seq").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load hosts of step %d: %w", stepID, err)
	}
	return out, nil
}

func (s *gormStore) unfinishedJobs(ctx context.Context, afterID int64, limit int) ([]taskInstance, error) {
	var out []taskInstance
	err := s.db.WithContext(ctx).
		Where("id > ? AND status IN ?", afterID, []int{int(execute.StatusBlank), int(execute.StatusRunning),
			int(execute.StatusStopping), int(execute.StatusWaitingUser)}).
		Order("id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load unfinished task instances: %w", err)
	}
	return out, nil
}

func (s *gormStore) stepMeta(ctx context.Context, stepID int64) (stepMeta, error) {
	var row struct {
		BizID          int64
		TaskInstanceID int64
		Type           int
		TotalBatch     int
		CreateTime     int64
	}
	err := s.db.WithContext(ctx).Table("step_instance AS s").
		Select("t.biz_id, s.task_instance_id, s.type, s.total_batch, t.create_time").
		Joins("JOIN task_instance t ON t.id = s.task_instance_id").
		Where("s.id = ?", stepID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return stepMeta{}, execute.ErrStepNotFound.Withf("step instance %d not found", stepID)
	}
	if err != nil {
		return stepMeta{}, fmt.Errorf("load step %d: %w", stepID, err)
	}
	return stepMeta{BizID: row.BizID, JobInstanceID: row.TaskInstanceID, JobCreated: row.CreateTime, Type: row.Type, Rolling: row.TotalBatch > 0}, nil
}

func (s *gormStore) gseTask(ctx context.Context, k taskKey) (*gseTask, error) {
	var out []gseTask
	err := s.db.WithContext(ctx).Where("step_instance_id = ? AND execute_count = ? AND batch = ?",
		k.StepInstanceID, k.ExecuteCount, k.Batch).Limit(1).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load gse task %s: %w", k.transportID(), err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}

// liveGseTasks lists gse tasks not finished yet (BLANK, RUNNING, STOPPING).
func (s *gormStore) liveGseTasks(ctx context.Context, afterID int64, limit int) ([]gseTask, error) {
	var out []gseTask
	err := s.db.WithContext(ctx).Where("id > ? AND status IN ?", afterID, []int{int(execute.StatusBlank),
		int(execute.StatusRunning), int(execute.StatusStopping)}).Order("id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load unfinished gse tasks: %w", err)
	}
	return out, nil
}

func (s *gormStore) hostTasks(ctx context.Context, k taskKey, hostIDs []int64) ([]hostTask, error) {
	var out []hostTask
	q := s.db.WithContext(ctx).Where("step_instance_id = ? AND execute_count = ? AND batch = ?",
		k.StepInstanceID, k.ExecuteCount, k.Batch)
	if hostIDs == nil {
		if err := q.Order("id").Find(&out).Error; err != nil {
			return nil, fmt.Errorf("load host tasks of %s: %w", k.transportID(), err)
		}
		return out, nil
	}
	for start := 0; start < len(hostIDs); start += insertChunk {
		var part []hostTask
		ids := hostIDs[start:min(start+insertChunk, len(hostIDs))]
		if err := q.Session(&gorm.Session{}).Where("host_id IN ?", ids).Find(&part).Error; err != nil {
			return nil, fmt.Errorf("load host tasks of %s: %w", k.transportID(), err)
		}
		out = append(out, part...)
	}
	return out, nil
}

// viewRows returns, per host of the step, its row of the latest execute
// count not above executeCount (a rolling step's earlier batches keep the
// count they ran with), optionally of one batch, ordered by batch and id.
func (s *gormStore) viewRows(ctx context.Context, stepID int64, executeCount int, batch *int) ([]hostTask, error) {
	q := s.db.WithContext(ctx).Where("step_instance_id = ? AND execute_count <= ?", stepID, executeCount)
	if batch != nil {
		q = q.Where("batch = ?", *batch)
	}
	return latestRows(q, stepID)
}

// hostViewRows is viewRows for one host of every batch: a host's log is
// looked up without reading the step's other hosts (10,000 rows on a big
// step).
func (s *gormStore) hostViewRows(ctx context.Context, stepID int64, executeCount int, hostID int64) ([]hostTask, error) {
	return latestRows(s.db.WithContext(ctx).Where("step_instance_id = ? AND execute_count <= ? AND host_id = ?",
		stepID, executeCount, hostID), stepID)
}

// viewColumns are the columns a view of the rows uses: the error message
// and the bookkeeping of dispatch are left in the table.
var viewColumns = []string{"id", "step_instance_id", "execute_count", "actual_execute_count", "batch", "host_id",
	"cloud_id", "ip", "ipv6", "agent_id", "status", "exit_code", "error_code", "tag", "start_time", "end_time", "total_time"}

// latestRows keeps, per host, the row of the latest execute count q finds.
func latestRows(q *gorm.DB, stepID int64) ([]hostTask, error) {
	var rows []hostTask
	if err := q.Select(viewColumns).Order("execute_count, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load host results of step %d: %w", stepID, err)
	}
	latest := map[int64]int{}
	var out []hostTask
	for _, r := range rows {
		if i, ok := latest[r.HostID]; ok {
			out[i] = r
			continue
		}
		latest[r.HostID] = len(out)
		out = append(out, r)
	}
	return out, nil
}

func (s *gormStore) countUnfinished(ctx context.Context, k taskKey) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&hostTask{}).
		Where("step_instance_id = ? AND execute_count = ? AND batch = ? AND status IN ?",
			k.StepInstanceID, k.ExecuteCount, k.Batch, unfinishedHost).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count unfinished hosts of %s: %w", k.transportID(), err)
	}
	return n, nil
}

func (s *gormStore) countNotSucceeded(ctx context.Context, k taskKey) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&hostTask{}).
		Where("step_instance_id = ? AND execute_count = ? AND batch = ? AND status NOT IN ?",
			k.StepInstanceID, k.ExecuteCount, k.Batch, []int{gse.HostStatusSuccess, gse.HostStatusLastSuccess}).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count failed hosts of %s: %w", k.transportID(), err)
	}
	return n, nil
}

func (s *gormStore) rollingTasks(ctx context.Context, stepID int64) ([]rollingTask, error) {
	var out []rollingTask
	err := s.db.WithContext(ctx).Where("step_instance_id = ?", stepID).Order("batch, execute_count").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load rolling batches of step %d: %w", stepID, err)
	}
	return out, nil
}
