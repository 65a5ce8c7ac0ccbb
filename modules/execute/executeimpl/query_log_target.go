package executeimpl

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/errs"
)

// LogTarget implements execute.Service: the logsvr reference of a step run
// and whether more log can come. For a host, the reference is where its log
// of that run lives (its batch, and the execute count that actually ran it
// when a retry kept its earlier result); it is finished once the host has a
// final result. Without a host, it is finished once the step writes no more.
func (e *Engine) LogTarget(ctx context.Context, req execute.LogTargetRequest) (logsvr.StepState, error) {
	switch {
	case req.StepInstanceID <= 0:
		return logsvr.StepState{}, errs.Required("step_instance_id").Withf("is required: a positive step instance id")
	case req.HostID < 0:
		return logsvr.StepState{}, errs.Invalid("host_id", "must be a positive host id, got %d", req.HostID)
	}
	s, err := e.st.step(ctx, req.StepInstanceID)
	if err != nil {
		return logsvr.StepState{}, err
	}
	job, err := e.st.job(ctx, s.TaskInstanceID)
	if err != nil {
		return logsvr.StepState{}, err
	}
	if err := e.checkStepScope(ctx, req.ScopeRef, job, s); err != nil {
		return logsvr.StepState{}, err
	}
	if req.ExecuteCount < 0 || req.ExecuteCount > s.ExecuteCount {
		return logsvr.StepState{}, errs.Invalid("execute_count", "must be 0..%d, got %d", s.ExecuteCount, req.ExecuteCount)
	}
	if err := checkLogBatch(s, req.Batch); err != nil {
		return logsvr.StepState{}, err
	}
	meta, err := e.steps.get(ctx, e.st, s.ID)
	if err != nil {
		return logsvr.StepState{}, err
	}
	out := logsvr.StepState{Ref: meta.logRef(taskKey{s.ID, req.ExecuteCount, req.Batch}), Status: s.Status,
		ScopeType: job.ScopeType, ScopeID: job.ScopeID}
	over := req.ExecuteCount < s.ExecuteCount || stepOver(job, s)
	if req.HostID == 0 {
		out.Finished = over
		return out, nil
	}
	h, err := e.st.stepHost(ctx, s.ID, req.HostID)
	if err != nil {
		return out, err
	}
	if h == nil {
		return out, execute.ErrHostNotFound.Withf("host_id %d is not a target of step %d", req.HostID, s.ID).OnField("host_id")
	}
	if req.Batch != logsvr.AnyBatch && req.Batch != h.Batch {
		return out, execute.ErrHostNotFound.Withf("host_id %d is in batch %d of step %d, not in batch %d", req.HostID, h.Batch, s.ID, req.Batch).OnField("batch")
	}
	out.Ref.Batch = h.Batch
	row, err := e.st.hostView(ctx, s.ID, req.ExecuteCount, h.Batch, req.HostID)
	if err != nil {
		return out, err
	}
	if row == nil { // the host's batch has not run in this execute count (yet)
		out.Finished = over
		return out, nil
	}
	out.Ref.ExecuteCount = row.ActualExecuteCount
	out.Finished = gse.HostStatusFinished(row.Status)
	return out, nil
}

// checkStepScope refuses a step outside the request's scope, when it names one.
func (e *Engine) checkStepScope(ctx context.Context, ref execute.ScopeRef, job *taskInstance, s *stepInstance) error {
	if ref.ScopeType == "" && ref.ScopeID == "" && ref.BizID == 0 {
		return nil
	}
	sc, err := e.scope(ctx, ref)
	if err != nil {
		return err
	}
	if job.BizID != sc.BizID {
		return execute.ErrStepNotFound.Withf("step instance %d not found in scope %s:%s", s.ID, sc.Type, sc.ID).OnField("step_instance_id")
	}
	return nil
}

// checkLogBatch accepts logsvr.AnyBatch, 0 for a step that does not roll,
// and 1..total batches for one that does.
func checkLogBatch(s *stepInstance, batch int) error {
	switch {
	case batch == logsvr.AnyBatch:
	case !s.rolling() && batch != 0:
		return errs.Invalid("batch", "step %d does not roll: batch must be 0 or absent, got %d", s.ID, batch)
	case s.rolling() && (batch < 1 || batch > s.TotalBatch):
		return errs.Invalid("batch", "must be 1..%d, got %d", s.TotalBatch, batch)
	}
	return nil
}

// stepOver reports whether a step writes no more log in its current
// execute count: it is finished, and its job will not run another batch
// of it (a rolling step ignoring a failed batch moves on to the next).
func stepOver(job *taskInstance, s *stepInstance) bool {
	if !execute.RunStatus(s.Status).Finished() {
		return false
	}
	moreBatches := s.rolling() && s.Batch < s.TotalBatch
	return !moreBatches || job.CurrentStepID != s.ID || !in(job.Status, jobActive)
}

func (s *gormStore) stepHost(ctx context.Context, stepID, hostID int64) (*stepHost, error) {
	var out stepHost
	err := s.db.WithContext(ctx).Where("step_instance_id = ? AND host_id = ?", stepID, hostID).Take(&out).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load host %d of step %d: %w", hostID, stepID, err)
	}
	return &out, nil
}

// hostView probes the unique (step, execute count, batch, host) index once
// per execute count up to executeCount and keeps the latest row.
func (s *gormStore) hostView(ctx context.Context, stepID int64, executeCount, batch int, hostID int64) (*hostTask, error) {
	counts := make([]int, 0, executeCount+1)
	for c := 0; c <= executeCount; c++ {
		counts = append(counts, c)
	}
	var rows []hostTask
	err := s.db.WithContext(ctx).Where("step_instance_id = ? AND execute_count IN ? AND batch = ? AND host_id = ?",
		stepID, counts, batch, hostID).Order("execute_count DESC").Limit(1).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load host %d of step %d: %w", hostID, stepID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

func (s *gormStore) stepTargets(ctx context.Context, stepID int64, hostIDs []int64, ips []execute.IP) ([]stepHost, error) {
	wantIP := map[execute.IP]bool{}
	addrs := make([]string, 0, len(ips))
	for _, ip := range ips {
		if !wantIP[ip] {
			wantIP[ip] = true
			addrs = append(addrs, ip.IP)
		}
	}
	seen := map[int64]bool{}
	var out []stepHost
	load := func(column string, values any) error {
		var part []stepHost
		err := s.db.WithContext(ctx).Where("step_instance_id = ? AND "+column+" IN ?", stepID, values).Find(&part).Error
		if err != nil {
			return fmt.Errorf("load targets of step %d: %w", stepID, err)
		}
		for _, h := range part {
			if !seen[h.ID] && (column == "host_id" || wantIP[execute.IP{CloudID: h.CloudID, IP: h.IP}]) {
				seen[h.ID] = true
				out = append(out, h)
			}
		}
		return nil
	}
	for start := 0; start < len(hostIDs); start += insertChunk {
		if err := load("host_id", hostIDs[start:min(start+insertChunk, len(hostIDs))]); err != nil {
			return nil, err
		}
	}
	for start := 0; start < len(addrs); start += insertChunk {
		if err := load("ip", addrs[start:min(start+insertChunk, len(addrs))]); err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}
