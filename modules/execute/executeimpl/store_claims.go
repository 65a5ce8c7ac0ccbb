package executeimpl

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
)

// claim runs UPDATE model SET set WHERE id = ? AND status IN from [AND where]
// and reports whether it changed the row. set must change the row (a new
// status or counter), because MySQL counts changed rows only.
func claim(db *gorm.DB, model any, id int64, from []int, where map[string]any, set map[string]any) (bool, error) {
	q := db.Model(model).Where("id = ?", id)
	if len(from) > 0 {
		q = q.Where("status IN ?", from)
	}
	for col, v := range where {
		q = q.Where(col+" = ?", v)
	}
	res := q.Updates(set)
	if res.Error != nil {
		return false, res.Error
	}
	return res.RowsAffected == 1, nil
}

func (s *gormStore) claimJob(ctx context.Context, tx *gorm.DB, id int64, from []int, set map[string]any) (bool, error) {
	ok, err := claim(s.conn(ctx, tx), &taskInstance{}, id, from, nil, set)
	if err != nil {
		return false, fmt.Errorf("update task instance %d: %w", id, err)
	}
	return ok, nil
}

func (s *gormStore) claimJobAfterStep(ctx context.Context, tx *gorm.DB, id int64, from int, step *stepInstance, set map[string]any) (bool, error) {
	q := s.conn(ctx, tx).Model(&taskInstance{}).Where("id = ? AND status = ?", id, from)
	if step != nil {
		q = q.Where("EXISTS (SELECT 1 FROM step_instance WHERE step_instance.id = ? AND step_instance.status = ? AND step_instance.execute_count = ?)",
			step.ID, step.Status, step.ExecuteCount)
	}
	res := q.Updates(set)
	if res.Error != nil {
		return false, fmt.Errorf("update task instance %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (s *gormStore) claimStep(ctx context.Context, tx *gorm.DB, id int64, from []int, where, set map[string]any) (bool, error) {
	ok, err := claim(s.conn(ctx, tx), &stepInstance{}, id, from, where, set)
	if err != nil {
		return false, fmt.Errorf("update step instance %d: %w", id, err)
	}
	return ok, nil
}

func (s *gormStore) claimGseTask(ctx context.Context, tx *gorm.DB, id int64, from []int, where, set map[string]any) (bool, error) {
	ok, err := claim(s.conn(ctx, tx), &gseTask{}, id, from, where, set)
	if err != nil {
		return false, fmt.Errorf("update gse task %d: %w", id, err)
	}
	return ok, nil
}

// insertRun writes a gse task and its host rows (and the rolling batch row).
func (s *gormStore) insertRun(ctx context.Context, tx *gorm.DB, g *gseTask, rows []hostTask, rolling bool) error {
	db := s.conn(ctx, tx)
	if err := db.Create(g).Error; err != nil {
		return fmt.Errorf("insert gse task %s: %w", g.GseTaskID, err)
	}
	for i := range rows {
		rows[i].GseTaskID = g.ID
	}
	if len(rows) > 0 {
		if err := db.CreateInBatches(rows, insertChunk).Error; err != nil {
			return fmt.Errorf("insert host tasks of %s: %w", g.GseTaskID, err)
		}
	}
	if rolling {
		rt := rollingTask{StepInstanceID: g.StepInstanceID, ExecuteCount: g.ExecuteCount, Batch: g.Batch,
			Status: g.Status, StartTime: g.StartTime}
		if err := db.Create(&rt).Error; err != nil {
			return fmt.Errorf("insert rolling batch %s: %w", g.GseTaskID, err)
		}
	}
	return nil
}

func (s *gormStore) finishRolling(ctx context.Context, k taskKey, status int, now int64) error {
	err := s.db.WithContext(ctx).Model(&rollingTask{}).
		Where("step_instance_id = ? AND execute_count = ? AND batch = ?", k.StepInstanceID, k.ExecuteCount, k.Batch).
		Updates(map[string]any{"status": status, "end_time": now, "total_time": gorm.Expr("? - start_time", now)}).Error
	if err != nil {
		return fmt.Errorf("update rolling batch %s: %w", k.transportID(), err)
	}
	return nil
}

// failUnfinished gives every host of k still waiting or running a final status.
func (s *gormStore) failUnfinished(ctx context.Context, k taskKey, status, errorCode int, msg string, now int64) (int64, error) {
	res := s.db.WithContext(ctx).Model(&hostTask{}).
		Where("step_instance_id = ? AND execute_count = ? AND batch = ? AND status IN ?",
			k.StepInstanceID, k.ExecuteCount, k.Batch, unfinishedHost).
		Updates(map[string]any{"status": status, "error_code": errorCode, "error_msg": msg, "end_time": now,
			"total_time": gorm.Expr("CASE WHEN start_time > 0 THEN ? - start_time ELSE 0 END", now)})
	if res.Error != nil {
		return 0, fmt.Errorf("finish hosts of %s: %w", k.transportID(), res.Error)
	}
	return res.RowsAffected, nil
}

// applyHostUpdates writes the sink's changes in one transaction, with the
// same few statements prepared once. Results only land on rows still
// waiting or running (taking their log offset along), offsets only ever
// grow.
func (s *gormStore) applyHostUpdates(ctx context.Context, ups []hostUpdate) error {
	if len(ups) == 0 {
		return nil
	}
	const (
		raiseOffset = `UPDATE gse_execute_obj_task SET log_offset = ? WHERE id = ? AND log_offset < ?`
		setRunning  = `UPDATE gse_execute_obj_task SET status = ?, start_time = ? WHERE id = ? AND status = ?`
		setResult   = `UPDATE gse_execute_obj_task SET status = ?, exit_code = ?, error_code = ?, error_msg = ?, tag = ?,
  start_time = ?, end_time = ?, total_time = ?, log_offset = CASE WHEN log_offset < ? THEN ? ELSE log_offset END
  WHERE id = ? AND status IN (?, ?)`
	)
	return s.db.WithContext(ctx).Session(&gorm.Session{PrepareStmt: true}).Transaction(func(tx *gorm.DB) error {
		for _, u := range ups {
			var err error
			switch {
			case u.result != nil:
				r := u.result
				err = tx.Exec(setResult, r.status, r.exitCode, r.errorCode, r.errorMsg, r.tag, r.start, r.end,
					r.end-r.start, u.logOffset, u.logOffset, u.id, gse.HostStatusWaiting, gse.HostStatusRunning).Error
				if err == nil && u.logOffset > 0 {
					err = tx.Exec(raiseOffset, u.logOffset, u.id, u.logOffset).Error
				}
			case u.running:
				err = tx.Exec(setRunning, gse.HostStatusRunning, u.start, u.id, gse.HostStatusWaiting).Error
				if err == nil && u.logOffset > 0 {
					err = tx.Exec(raiseOffset, u.logOffset, u.id, u.logOffset).Error
				}
			case u.logOffset > 0:
				err = tx.Exec(raiseOffset, u.logOffset, u.id, u.logOffset).Error
			}
			if err != nil {
				return fmt.Errorf("update host task %d: %w", u.id, err)
			}
		}
		return nil
	})
}

func (s *gormStore) addOperation(ctx context.Context, tx *gorm.DB, op *operationLog) error {
	if err := s.conn(ctx, tx).Create(op).Error; err != nil {
		return fmt.Errorf("insert operation log: %w", err)
	}
	return nil
}
