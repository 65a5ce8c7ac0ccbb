package executeimpl

import (
	"context"
	"sort"
	"strings"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/errs"
)

// GetJobInstanceStatus implements execute.Service.
func (e *Engine) GetJobInstanceStatus(ctx context.Context, req execute.GetJobInstanceStatusRequest) (execute.JobInstanceStatus, error) {
	job, err := e.loadJob(ctx, req.ScopeRef, req.JobInstanceID)
	if err != nil {
		return execute.JobInstanceStatus{}, err
	}
	steps, err := e.st.jobSteps(ctx, job.ID)
	if err != nil {
		return execute.JobInstanceStatus{}, err
	}
	out := execute.JobInstanceStatus{
		Finished:         execute.RunStatus(job.Status).Finished(),
		JobInstance:      jobInfo(job),
		StepInstanceList: make([]execute.StepInstanceInfo, 0, len(steps)),
	}
	for i := range steps {
		s := &steps[i]
		info := execute.StepInstanceInfo{StepInstanceID: s.ID, Type: s.Type, Name: s.Name, Status: execute.RunStatus(s.Status),
			CreateTime: s.CreateTime, StartTime: s.StartTime, ExecuteCount: s.ExecuteCount}
		info.EndTime, info.TotalTime = endTimes(s.Status, s.EndTime, s.TotalTime)
		if req.ReturnIPResult {
			if info.StepIPResultList, err = e.stepIPResults(ctx, s); err != nil {
				return execute.JobInstanceStatus{}, err
			}
		}
		out.StepInstanceList = append(out.StepInstanceList, info)
	}
	return out, nil
}

// stepIPResults lists a step's hosts of its latest execute count; a step
// that has not started lists its targets as waiting.
func (e *Engine) stepIPResults(ctx context.Context, s *stepInstance) ([]execute.StepIPResult, error) {
	rows, err := e.st.viewRows(ctx, s.ID, s.ExecuteCount, nil)
	if err != nil {
		return nil, err
	}
	out := make([]execute.StepIPResult, 0, len(rows))
	for _, r := range rows {
		out = append(out, execute.StepIPResult{HostID: apiHostID(r.HostID), IP: r.IP,
			CloudID: r.CloudID, Status: r.Status, Tag: r.Tag, ExitCode: r.ExitCode, ErrorCode: r.ErrorCode,
			StartTime: r.StartTime, EndTime: r.EndTime, TotalTime: r.TotalTime})
	}
	if len(rows) > 0 || s.Status != int(execute.StatusBlank) {
		return out, nil
	}
	hosts, err := e.st.stepHosts(ctx, s.ID, -1)
	if err != nil {
		return nil, err
	}
	for _, h := range hosts {
		out = append(out, execute.StepIPResult{HostID: apiHostID(h.HostID), IP: h.IP, CloudID: h.CloudID, Status: gse.HostStatusWaiting})
	}
	return out, nil
}

// endTimes gives end_time and total_time once status has ended, nil before.
func endTimes(status int, end, total int64) (*int64, *int64) {
	if !execute.RunStatus(status).Finished() {
		return nil, nil
	}
	return &end, &total
}

func jobInfo(j *taskInstance) execute.JobInstanceInfo {
	info := execute.JobInstanceInfo{JobInstanceID: j.ID, ScopeType: j.ScopeType, ScopeID: j.ScopeID, Name: j.Name,
		Status: execute.RunStatus(j.Status), CreateTime: j.CreateTime, StartTime: j.StartTime}
	info.EndTime, info.TotalTime = endTimes(j.Status, j.EndTime, j.TotalTime)
	return info
}

// GetStepInstanceStatus implements execute.Service: the step's hosts of one
// execute count (default the latest), grouped by (status, tag).
func (e *Engine) GetStepInstanceStatus(ctx context.Context, req execute.GetStepInstanceStatusRequest) (execute.StepInstanceStatus, error) {
	_, s, err := e.loadStep(ctx, req.StepRef)
	if err != nil {
		return execute.StepInstanceStatus{}, err
	}
	count, err := executeCount(req.ExecuteCount, s)
	if err != nil {
		return execute.StepInstanceStatus{}, err
	}
	if req.MaxHostNumPerGroup != nil && *req.MaxHostNumPerGroup < 0 {
		return execute.StepInstanceStatus{}, errs.Invalid("max_host_num_per_group", "must not be negative")
	}
	rows, err := e.filteredRows(ctx, s, count, req.Batch, req.SearchIP, req.Keyword)
	if err != nil {
		return execute.StepInstanceStatus{}, err
	}
	out := execute.StepInstanceStatus{StepInstanceID: s.ID, ExecuteCount: count, Name: s.Name, Type: s.Type,
		Status: execute.RunStatus(s.Status), CreateTime: s.CreateTime, StartTime: s.StartTime, EndTime: s.EndTime,
		TotalTime: s.TotalTime, CurrentBatch: s.Batch, TotalBatch: s.TotalBatch}
	out.StepResultGroupList = groupResults(rows, req.Status, req.Tag, req.MaxHostNumPerGroup)
	return out, nil
}

// filteredRows are the step's host rows of execute count count, of one
// batch (nil or 0: every batch), whose address contains searchIP and whose
// log contains keyword (script and SQL steps only).
func (e *Engine) filteredRows(ctx context.Context, s *stepInstance, count int, reqBatch *int, searchIP, keyword string) ([]hostTask, error) {
	var batch *int
	if reqBatch != nil && *reqBatch != 0 {
		if *reqBatch < 0 || *reqBatch > s.TotalBatch {
			return nil, errs.Invalid("batch", "must be 0 (every batch) or 1..%d, got %d", s.TotalBatch, *reqBatch)
		}
		batch = reqBatch
	}
	if keyword != "" && s.Type != execute.StepTypeScript && s.Type != execute.StepTypeSQL {
		return nil, errs.Invalid("keyword", "log keyword search applies to script steps only")
	}
	rows, err := e.views.rows(ctx, e.st, s, count, batch)
	if err != nil {
		return nil, err
	}
	if searchIP != "" {
		rows = filterRows(rows, func(r hostTask) bool {
			return strings.Contains(r.IP, searchIP) || strings.Contains(r.IPv6, searchIP)
		})
	}
	if keyword != "" {
		return e.keywordFilter(ctx, s, rows, keyword)
	}
	return rows, nil
}

// executeCount checks a requested execute count (default: the latest).
func executeCount(req *int, s *stepInstance) (int, error) {
	if req == nil {
		return s.ExecuteCount, nil
	}
	if *req < 0 || *req > s.ExecuteCount {
		return 0, errs.Invalid("execute_count", "must be 0..%d, got %d", s.ExecuteCount, *req)
	}
	return *req, nil
}

func filterRows(rows []hostTask, keep func(hostTask) bool) []hostTask {
	out := rows[:0:0]
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// keywordFilter keeps the hosts whose log contains keyword. Each host's log
// lives under the execute count that actually ran it.
func (e *Engine) keywordFilter(ctx context.Context, s *stepInstance, rows []hostTask, keyword string) ([]hostTask, error) {
	meta, err := e.steps.get(ctx, e.st, s.ID)
	if err != nil {
		return nil, err
	}
	type run struct{ count, batch int }
	match := map[run]map[int64]bool{}
	for _, r := range rows {
		k := run{r.ActualExecuteCount, r.Batch}
		if _, ok := match[k]; ok {
			continue
		}
		ids, err := e.logs.SearchHosts(ctx, meta.logRef(taskKey{s.ID, k.count, k.batch}), keyword)
		if err != nil {
			return nil, err
		}
		set := make(map[int64]bool, len(ids))
		for _, id := range ids {
			set[id] = true
		}
		match[k] = set
	}
	return filterRows(rows, func(r hostTask) bool { return match[run{r.ActualExecuteCount, r.Batch}][r.HostID] }), nil
}

// groupResults groups hosts by (status, tag): successes first, then running
// and waiting hosts, then failures by status, then tag. Only the groups
// matching the status and tag filters list their hosts; every group keeps
// its count. limit caps the hosts listed per group.
func groupResults(rows []hostTask, status *int, tag string, limit *int) []execute.ResultGroup {
	type key struct {
		status int
		tag    string
	}
	idx := map[key]int{}
	groups := []execute.ResultGroup{} // never null in the answer
	var members [][]hostTask
	for _, r := range rows {
		k := key{r.Status, r.Tag}
		i, ok := idx[k]
		if !ok {
			i = len(groups)
			idx[k] = i
			groups = append(groups, execute.ResultGroup{ResultType: r.Status, Tag: r.Tag}) // the door names the status (Localized)
			members = append(members, nil)
		}
		groups[i].HostSize++
		members[i] = append(members[i], r)
	}
	for i := range groups {
		g := &groups[i]
		g.HostResultList = []execute.HostResult{}
		if status != nil && *status != g.ResultType || tag != "" && tag != g.Tag {
			continue
		}
		list := members[i]
		sortHosts(list) // the order list_step_instance_hosts pages through
		if limit != nil && *limit > 0 && len(list) > *limit {
			list = list[:*limit]
		}
		for _, r := range list {
			g.HostResultList = append(g.HostResultList, hostResult(r))
		}
	}
	sort.SliceStable(groups, func(a, b int) bool {
		return groupLess(groups[a].ResultType, groups[a].Tag, groups[b].ResultType, groups[b].Tag)
	})
	return groups
}

func groupRank(status int) int {
	switch {
	case execute.HostSucceeded(status):
		return 0
	case !gse.HostStatusFinished(status):
		return 1
	}
	return 2
}

func hostResult(r hostTask) execute.HostResult {
	hr := execute.HostResult{HostID: apiHostID(r.HostID), IP: r.IP, CloudID: r.CloudID, CloudName: cloudName(r.CloudID),
		Status: r.Status, Tag: r.Tag, ExitCode: r.ExitCode, ErrorCode: r.ErrorCode,
		StartTime: r.StartTime, EndTime: r.EndTime, TotalTime: r.TotalTime}
	if r.IPv6 != "" {
		v := r.IPv6
		hr.IPv6 = &v
	}
	if r.AgentID != "" {
		v := r.AgentID
		hr.AgentID = &v
	}
	return hr
}

func cloudName(id int64) string {
	if id == 0 {
		return "Default Area"
	}
	return ""
}

// logStep is the log store's name for the run a host row's log lives in.
func logStep(meta stepMeta, r hostTask) logsvr.StepRef {
	return meta.logRef(taskKey{r.StepInstanceID, r.ActualExecuteCount, r.Batch})
}
