package executeimpl

import (
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/platform/config"
)

// runningJobQuota is bk-job's running-job quota (execute.running_job_quota):
// a new job is refused while the whole system, the caller's app code or the
// job's scope already has as many unfinished jobs as its limit.
//
// bk-job counts running jobs in Redis counters that a job's creation raises
// and its end lowers. bkjob counts the unfinished task_instance rows
// instead, in the transaction that inserts the job: the rows are the truth,
// so a process that dies between creating and ending a job cannot leak a
// slot, several execute processes need no shared counter, and a job frees
// its slot the moment its status becomes final (or counts again when a
// retry brings a failed job back to running). Two creates must not both see
// capacity-1: the transaction is serialised with every other quota check
// (gormStore.quotaTx): SQLite's single write lock, MySQL's GET_LOCK.
type runningJobQuota struct {
	capacity, scope, app int
}

// newRunningJobQuota returns the quota cfg sets, or nil when it is off.
func newRunningJobQuota(cfg config.RunningJobQuota) *runningJobQuota {
	if !cfg.Enabled {
		return nil
	}
	c, s, a := cfg.Limits()
	return &runningJobQuota{capacity: c, scope: s, app: a}
}

// unfinishedJobStatuses are the job statuses that hold a slot: every
// status that is not final.
func unfinishedJobStatuses() []int {
	var out []int
	for s := execute.StatusBlank; s.Valid(); s++ {
		if !s.Finished() {
			out = append(out, int(s))
		}
	}
	return out
}

// runningJobs are the unfinished jobs counted for one new job.
type runningJobs struct {
	NTotal int64 // the whole system
	NApp   int64 // of the new job's app code
	NScope int64 // in the new job's scope
}

// count reads the unfinished jobs in one pass over the status index.
func (q *runningJobQuota) count(tx *gorm.DB, job *taskInstance) (runningJobs, error) {
	var n runningJobs
	err := tx.Model(&taskInstance{}).
		Select(`COUNT(*) AS n_total,
  COALESCE(SUM(CASE WHEN app_code = ? THEN 1 ELSE 0 END), 0) AS n_app,
  COALESCE(SUM(CASE WHEN scope_type = ? AND scope_id = ? THEN 1 ELSE 0 END), 0) AS n_scope`,
			job.AppCode, job.ScopeType, job.ScopeID).
		Where("status IN ?", unfinishedJobStatuses()).Scan(&n).Error
	if err != nil {
		return runningJobs{}, fmt.Errorf("count running jobs: %w", err)
	}
	return n, nil
}

// check refuses job when a limit is reached: the system's first, then the
// app code's (a job without one, started from the web UI, has none), then
// the scope's. The message names the limit, its key and the count.
func (q *runningJobQuota) check(n runningJobs, job *taskInstance) error {
	switch {
	case n.NTotal >= int64(q.capacity):
		return execute.ErrSystemQuota.Withf("too many running jobs in the system: %d running, the limit is %d (execute.running_job_quota.capacity); retry when some have finished",
			n.NTotal, q.capacity)
	case job.AppCode != "" && n.NApp >= int64(q.app):
		return execute.ErrAppQuota.Withf("too many running jobs of app %q: %d running, the limit is %d (execute.running_job_quota.app_limit); retry when some have finished",
			job.AppCode, n.NApp, q.app)
	case n.NScope >= int64(q.scope):
		return execute.ErrScopeQuota.Withf("too many running jobs in scope %s:%s: %d running, the limit is %d (execute.running_job_quota.scope_limit); retry when some have finished",
			job.ScopeType, job.ScopeID, n.NScope, q.scope)
	}
	return nil
}

// isQuotaRefusal reports whether err refused a job for the quota, so
// nothing of it was written.
func isQuotaRefusal(err error) bool {
	return errors.Is(err, execute.ErrSystemQuota) || errors.Is(err, execute.ErrAppQuota) || errors.Is(err, execute.ErrScopeQuota)
}

// admission is what createJob runs in its transaction before inserting
// job: nil when the quota is off.
func (e *Engine) admission(job *taskInstance) func(tx *gorm.DB) error {
	q := newRunningJobQuota(e.cfg.Execute.RunningJobQuota)
	if q == nil {
		return nil
	}
	return func(tx *gorm.DB) error {
		n, err := q.count(tx, job)
		if err != nil {
			return err
		}
		if err := q.check(n, job); err != nil {
			e.log.Warn("job refused by the running-job quota", "scope_type", job.ScopeType, "scope_id", job.ScopeID,
				"app_code", job.AppCode, "running", n.NTotal, "running_app", n.NApp, "running_scope", n.NScope, "err", err)
			return err
		}
		return nil
	}
}
