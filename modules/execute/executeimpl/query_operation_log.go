package executeimpl

import (
	"context"
	"fmt"

	"github.com/bkjob/bkjob/modules/execute"
)

// GetJobInstanceOperationLog implements execute.Service: the operation_log
// rows of a job of the caller's scope, newest first, at most
// execute.MaxOperationLogEntries of them.
func (e *Engine) GetJobInstanceOperationLog(ctx context.Context, req execute.JobRef) (execute.JobOperationLog, error) {
	job, err := e.loadJob(ctx, req.ScopeRef, req.JobInstanceID)
	if err != nil {
		return execute.JobOperationLog{}, err
	}
	rows, err := e.st.operations(ctx, job.ID, execute.MaxOperationLogEntries)
	if err != nil {
		return execute.JobOperationLog{}, err
	}
	out := execute.JobOperationLog{JobInstanceID: job.ID, OperationLogList: make([]execute.OperationLog, 0, len(rows))}
	for _, r := range rows {
		out.OperationLogList = append(out.OperationLogList, execute.OperationLog{ID: r.ID, OperationCode: r.OpCode,
			Operator: r.Operator, AppCode: r.AppCode, StepInstanceID: r.StepInstanceID, ExecuteCount: r.ExecuteCount,
			CreateTime: r.CreateTime})
	}
	return out, nil
}

func (s *gormStore) operations(ctx context.Context, jobID int64, limit int) ([]operationLog, error) {
	var out []operationLog
	err := s.db.WithContext(ctx).Where("task_instance_id = ?", jobID).Order("id DESC").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load operation log of task instance %d: %w", jobID, err)
	}
	return out, nil
}
