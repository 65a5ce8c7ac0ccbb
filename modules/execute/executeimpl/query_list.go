package executeimpl

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/platform/errs"
)

// jobQuery is get_job_instance_list's filter.
type jobQuery struct {
	bizID                   int64
	createStart, createEnd  int64
	jobID, cronID           int64
	operator, name, ip      string
	launchMode, typ, status *int
	start, length           int
}

func (s *gormStore) listJobs(ctx context.Context, q jobQuery) ([]taskInstance, int64, error) {
	db := s.db.WithContext(ctx).Model(&taskInstance{}).Where("biz_id = ?", q.bizID)
	if q.jobID > 0 {
		db = db.Where("id = ?", q.jobID)
	} else {
		db = db.Where("create_time >= ? AND create_time <= ?", q.createStart, q.createEnd)
		if q.cronID > 0 {
			db = db.Where("cron_id = ?", q.cronID)
		}
		if q.operator != "" {
			db = db.Where("operator = ?", q.operator)
		}
		if q.name != "" {
			db = db.Where("name LIKE ? ESCAPE '!'", "%"+escapeLike(q.name)+"%")
		}
		for col, v := range map[string]*int{"startup_mode": q.launchMode, "type": q.typ, "status": q.status} {
			if v != nil {
				db = db.Where(col+" = ?", *v)
			}
		}
		if q.ip != "" {
			db = db.Where("id IN (?)", s.db.Model(&taskHost{}).Select("task_instance_id").Where("ip = ?", q.ip))
		}
	}
	var total int64
	if err := db.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count task instances: %w", err)
	}
	var out []taskInstance
	if err := db.Order("create_time DESC, id DESC").Offset(q.start).Limit(q.length).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list task instances: %w", err)
	}
	return out, total, nil
}

// escapeLike makes s match literally in a LIKE pattern with ESCAPE '!'
// (a backslash escape is spelled differently in MySQL and SQLite).
func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '!' {
			out = append(out, '!')
		}
		out = append(out, r)
	}
	return string(out)
}

// GetJobInstanceList implements execute.Service.
func (e *Engine) GetJobInstanceList(ctx context.Context, req execute.GetJobInstanceListRequest) (execute.JobInstancePage, error) {
	sc, err := e.scope(ctx, req.ScopeRef)
	if err != nil {
		return execute.JobInstancePage{}, err
	}
	q := jobQuery{bizID: sc.BizID, createStart: req.CreateTimeStart, createEnd: req.CreateTimeEnd, jobID: req.JobInstanceID,
		cronID: req.JobCronID, operator: req.Operator, name: req.Name, ip: req.IP, launchMode: req.LaunchMode, typ: req.Type,
		status: req.Status, start: req.Start, length: execute.DefaultPageLength}
	if req.JobInstanceID == 0 {
		switch {
		case req.CreateTimeStart <= 0:
			return execute.JobInstancePage{}, errs.Required("create_time_start").Withf("is required: Unix milliseconds")
		case req.CreateTimeEnd <= 0:
			return execute.JobInstancePage{}, errs.Required("create_time_end").Withf("is required: Unix milliseconds")
		case req.CreateTimeEnd < req.CreateTimeStart:
			return execute.JobInstancePage{}, errs.Invalid("create_time_end", "must not be before create_time_start")
		}
	}
	if req.Start < 0 {
		return execute.JobInstancePage{}, errs.Invalid("start", "must not be negative")
	}
	if req.Length != nil {
		if *req.Length < 1 || *req.Length > execute.MaxPageLength {
			return execute.JobInstancePage{}, errs.Invalid("length", "must be 1..%d, got %d", execute.MaxPageLength, *req.Length)
		}
		q.length = *req.Length
	}
	rows, total, err := e.st.listJobs(ctx, q)
	if err != nil {
		return execute.JobInstancePage{}, err
	}
	out := execute.JobInstancePage{Start: q.start, Length: q.length, Total: int(total), Data: make([]execute.JobInstanceSummary, 0, len(rows))}
	for _, j := range rows {
		out.Data = append(out.Data, execute.JobInstanceSummary{ScopeType: j.ScopeType, ScopeID: j.ScopeID, ID: j.ID,
			JobTemplateID: j.TemplateID, JobPlanID: j.PlanID, Name: j.Name, Operator: j.Operator, CreateTime: j.CreateTime,
			Status: execute.RunStatus(j.Status), Type: j.Type, LaunchMode: j.StartupMode, StartTime: j.StartTime,
			EndTime: j.EndTime, TotalTime: j.TotalTime})
	}
	return out, nil
}

// GetJobInstanceGlobalVarValue implements execute.Service. Fast jobs have no
// global variables: every step lists none.
func (e *Engine) GetJobInstanceGlobalVarValue(ctx context.Context, req execute.JobRef) (execute.JobGlobalVarValues, error) {
	job, err := e.loadJob(ctx, req.ScopeRef, req.JobInstanceID)
	if err != nil {
		return execute.JobGlobalVarValues{}, err
	}
	steps, err := e.st.jobSteps(ctx, job.ID)
	if err != nil {
		return execute.JobGlobalVarValues{}, err
	}
	out := execute.JobGlobalVarValues{JobInstanceID: job.ID, StepInstanceVarList: []execute.StepInstanceVar{}}
	for _, s := range steps {
		out.StepInstanceVarList = append(out.StepInstanceVarList, execute.StepInstanceVar{StepInstanceID: s.ID, GlobalVarList: []execute.GlobalVar{}})
	}
	return out, nil
}

// QueryAgentInfo implements execute.Service through the transport.
func (e *Engine) QueryAgentInfo(ctx context.Context, req execute.QueryAgentInfoRequest) (execute.AgentInfoList, error) {
	sc, err := e.scope(ctx, req.ScopeRef)
	if err != nil {
		return execute.AgentInfoList{}, err
	}
	switch n := len(req.HostIDList); {
	case n == 0:
		return execute.AgentInfoList{}, errs.Required("host_id_list").Withf("is required: give at least one host id")
	case n > execute.MaxAgentInfoHosts:
		return execute.AgentInfoList{}, errs.Invalid("host_id_list", "at most %d hosts per query, got %d", execute.MaxAgentInfoHosts, n)
	}
	found, err := e.hosts.Resolve(ctx, sc.BizID, req.HostIDList, nil)
	if err != nil {
		return execute.AgentInfoList{}, err
	}
	var hosts []gse.Host
	seen := map[int64]bool{}
	for _, h := range found {
		if h.Known && !seen[h.ID] {
			seen[h.ID] = true
			hosts = append(hosts, h.Host)
		}
	}
	out := execute.AgentInfoList{AgentInfoList: []execute.AgentInfo{}}
	if len(hosts) == 0 {
		return out, nil
	}
	states, err := e.tr.AgentStatus(ctx, hosts)
	if err != nil {
		return out, fmt.Errorf("query agent status: %w", err)
	}
	for _, st := range states {
		out.AgentInfoList = append(out.AgentInfoList, execute.AgentInfo{HostID: st.HostID, Status: boolInt(st.Alive), Version: st.Version})
	}
	return out, nil
}

// RollingPreview implements execute.Service: the batch plan of an expression
// over the given targets (or over total_hosts hosts).
func (e *Engine) RollingPreview(ctx context.Context, req execute.RollingPreviewRequest) (execute.RollingPlan, error) {
	if _, err := parseRollingExpr(req.Expression); err != nil {
		return execute.RollingPlan{}, errs.Invalid("expression", "%v", err)
	}
	var hosts []ResolvedHost
	total := req.TotalHosts
	if !req.TargetServer.Empty() {
		sc, err := e.scope(ctx, req.ScopeRef)
		if err != nil {
			return execute.RollingPlan{}, err
		}
		if hosts, err = e.targets(ctx, sc.BizID, "target_server", req.TargetServer); err != nil {
			return execute.RollingPlan{}, err
		}
		total = len(hosts)
	} else if total < 1 || total > execute.MaxTargetsPerStep {
		return execute.RollingPlan{}, errs.Invalid("total_hosts", "give target_server or total_hosts 1..%d", execute.MaxTargetsPerStep)
	}
	sizes, err := rollingPlan(req.Expression, total)
	if err != nil {
		return execute.RollingPlan{}, errs.Invalid("expression", "%v", err)
	}
	out := execute.RollingPlan{Expression: req.Expression, TotalHosts: total, Batches: make([]execute.RollingBatch, 0, len(sizes))}
	next := 0
	for i, n := range sizes {
		b := execute.RollingBatch{Batch: i + 1, HostCount: n}
		for _, h := range hosts[min(next, len(hosts)):min(next+n, len(hosts))] {
			b.Hosts = append(b.Hosts, execute.HostInfo{HostID: h.ID, CloudID: h.CloudID, IP: h.IP})
		}
		next += n
		out.Batches = append(out.Batches, b)
	}
	return out, nil
}
