package executeimpl

import (
	"context"
	"fmt"
	"strconv"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/text"
)

// GetHostLog implements execute.Service.
func (e *Engine) GetHostLog(ctx context.Context, req execute.GetHostLogRequest) (execute.HostLog, error) {
	_, s, err := e.loadStep(ctx, req.StepRef)
	if err != nil {
		return execute.HostLog{}, err
	}
	if req.HostID <= 0 && req.IP == "" {
		return execute.HostLog{}, errs.Required("host_id").Withf("is required: give host_id, or bk_cloud_id and ip")
	}
	count, err := executeCount(req.ExecuteCount, s)
	if err != nil {
		return execute.HostLog{}, err
	}
	// By host id, only that host's rows are read (the task page asks so);
	// by address, the step's rows are searched.
	var rows []hostTask
	if req.HostID > 0 {
		rows, err = e.st.hostViewRows(ctx, s.ID, count, req.HostID)
	} else {
		rows, err = e.st.viewRows(ctx, s.ID, count, nil)
	}
	if err != nil {
		return execute.HostLog{}, err
	}
	var row *hostTask
	for i := range rows {
		r := &rows[i]
		if req.HostID > 0 && r.HostID == req.HostID || req.HostID <= 0 && r.IP == req.IP && r.CloudID == req.CloudID {
			row = r
			break
		}
	}
	if row == nil {
		return e.notRunHostLog(ctx, s, req)
	}
	meta, err := e.steps.get(ctx, e.st, s.ID)
	if err != nil {
		return execute.HostLog{}, err
	}
	out := execute.HostLog{HostID: apiHostID(row.HostID), CloudID: row.CloudID, IP: row.IP}
	if s.Type == execute.StepTypeFile {
		out.LogType = execute.LogTypeFile
		d, err := s.file()
		if err != nil {
			return out, err
		}
		logs, err := e.hostFileLogs(ctx, d, logStep(meta, *row), row.HostID)
		if err != nil {
			return out, err
		}
		out.FileLogs = fileLogs(logs, fileHostNames(d, *row), d)
		return out, nil
	}
	out.LogType = execute.LogTypeScript
	l, err := e.logs.ReadScript(ctx, logsvr.HostKey{StepRef: logStep(meta, *row), HostID: row.HostID}, 0, 0)
	if err != nil {
		return out, err
	}
	// Stored bytes stay as the script wrote them (the export hands them out
	// raw); an API answer is valid UTF-8.
	out.LogContent = text.ValidBytes(l.Content)
	return out, nil
}

// BatchGetHostLogs implements execute.Service (≤ 500 hosts).
func (e *Engine) BatchGetHostLogs(ctx context.Context, req execute.BatchGetHostLogsRequest) (execute.BatchHostLogs, error) {
	_, s, err := e.loadStep(ctx, req.StepRef)
	if err != nil {
		return execute.BatchHostLogs{}, err
	}
	ids, ips := req.HostIDList, req.IPList
	if len(ids) > 0 {
		ips = nil
	}
	switch n := len(ids) + len(ips); {
	case n == 0:
		return execute.BatchHostLogs{}, errs.Required("host_id_list").Withf("is required: give host_id_list or ip_list")
	case n > execute.MaxBatchLogHosts:
		return execute.BatchHostLogs{}, errs.Invalid("host_id_list", "at most %d hosts, got %d", execute.MaxBatchLogHosts, n)
	}
	count, err := executeCount(req.ExecuteCount, s)
	if err != nil {
		return execute.BatchHostLogs{}, err
	}
	rows, err := e.st.viewRows(ctx, s.ID, count, nil)
	if err != nil {
		return execute.BatchHostLogs{}, err
	}
	wantID := map[int64]bool{}
	for _, id := range ids {
		wantID[id] = true
	}
	wantIP := map[execute.IP]bool{}
	for _, ip := range ips {
		wantIP[ip] = true
	}
	var picked []hostTask
	for _, r := range rows {
		if wantID[r.HostID] || wantIP[execute.IP{CloudID: r.CloudID, IP: r.IP}] {
			picked = append(picked, r)
			delete(wantID, r.HostID)
			delete(wantIP, execute.IP{CloudID: r.CloudID, IP: r.IP})
		}
	}
	notRun, err := e.notRunTargets(ctx, s.ID, wantID, wantIP)
	if err != nil {
		return execute.BatchHostLogs{}, err
	}
	meta, err := e.steps.get(ctx, e.st, s.ID)
	if err != nil {
		return execute.BatchHostLogs{}, err
	}
	out := execute.BatchHostLogs{JobInstanceID: s.TaskInstanceID, StepInstanceID: s.ID}
	if s.Type == execute.StepTypeFile {
		out.LogType, out.FileTaskLogs = execute.LogTypeFile, []execute.FileTaskLog{}
		d, err := s.file()
		if err != nil {
			return out, err
		}
		names := fileHostNames(d, picked...)
		for _, r := range picked {
			logs, err := e.hostFileLogs(ctx, d, logStep(meta, r), r.HostID)
			if err != nil {
				return out, err
			}
			out.FileTaskLogs = append(out.FileTaskLogs, execute.FileTaskLog{HostID: apiHostID(r.HostID), CloudID: r.CloudID, IP: r.IP,
				FileLogs: fileLogs(logs, names, d)})
		}
		for _, h := range notRun {
			out.FileTaskLogs = append(out.FileTaskLogs, execute.FileTaskLog{HostID: apiHostID(h.HostID), CloudID: h.CloudID, IP: h.IP,
				FileLogs: []execute.FileLog{}})
		}
		return out, nil
	}
	out.LogType, out.ScriptTaskLogs = execute.LogTypeScript, []execute.ScriptTaskLog{}
	type run struct{ count, batch int }
	groups := map[run][]hostTask{}
	var order []run
	for _, r := range picked {
		k := run{r.ActualExecuteCount, r.Batch}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	for _, k := range order {
		list := groups[k]
		hostIDs := make([]int64, 0, len(list))
		for _, r := range list {
			hostIDs = append(hostIDs, r.HostID)
		}
		logs, err := e.logs.ReadHosts(ctx, meta.logRef(taskKey{s.ID, k.count, k.batch}), hostIDs)
		if err != nil {
			return out, err
		}
		content := map[int64][]byte{}
		for _, l := range logs {
			content[l.HostID] = l.Content
		}
		for _, r := range list {
			out.ScriptTaskLogs = append(out.ScriptTaskLogs, execute.ScriptTaskLog{HostID: apiHostID(r.HostID), CloudID: r.CloudID,
				IP: r.IP, IPv6: optional(r.IPv6), LogContent: text.ValidBytes(content[r.HostID])})
		}
	}
	for _, h := range notRun {
		out.ScriptTaskLogs = append(out.ScriptTaskLogs, execute.ScriptTaskLog{HostID: apiHostID(h.HostID), CloudID: h.CloudID,
			IP: h.IP, IPv6: optional(h.IPv6)})
	}
	return out, nil
}

// notRunHostLog is the empty log of a target of the step that has not run
// in the asked execute count (its rolling batch has not started, or the
// step has not dispatched it yet), as bk-job answers it; a host that is no
// target of the step is not found.
func (e *Engine) notRunHostLog(ctx context.Context, s *stepInstance, req execute.GetHostLogRequest) (execute.HostLog, error) {
	var (
		targets []stepHost
		err     error
	)
	if req.HostID > 0 {
		targets, err = e.st.stepTargets(ctx, s.ID, []int64{req.HostID}, nil)
	} else {
		targets, err = e.st.stepTargets(ctx, s.ID, nil, []execute.IP{{CloudID: req.CloudID, IP: req.IP}})
	}
	if err != nil {
		return execute.HostLog{}, err
	}
	if len(targets) == 0 {
		name := "host_id " + strconv.FormatInt(req.HostID, 10)
		field := "host_id"
		if req.HostID <= 0 {
			name, field = fmt.Sprintf("%d:%s", req.CloudID, req.IP), "ip"
		}
		return execute.HostLog{}, execute.ErrHostNotFound.Withf("%s is not a target of step %d", name, s.ID).OnField(field)
	}
	h := targets[0]
	out := execute.HostLog{HostID: apiHostID(h.HostID), CloudID: h.CloudID, IP: h.IP, LogType: execute.LogTypeScript}
	if s.Type == execute.StepTypeFile {
		out.LogType = execute.LogTypeFile
	}
	return out, nil
}

// notRunTargets are the targets of a step among the asked hosts that have
// no result row yet; hosts that are no target are left out.
func (e *Engine) notRunTargets(ctx context.Context, stepID int64, ids map[int64]bool, ips map[execute.IP]bool) ([]stepHost, error) {
	if len(ids) == 0 && len(ips) == 0 {
		return nil, nil
	}
	idList := make([]int64, 0, len(ids))
	for id := range ids {
		idList = append(idList, id)
	}
	ipList := make([]execute.IP, 0, len(ips))
	for ip := range ips {
		ipList = append(ipList, ip)
	}
	return e.st.stepTargets(ctx, stepID, idList, ipList)
}
