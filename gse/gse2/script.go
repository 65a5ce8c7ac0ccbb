package gse2

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/errs"
)

// StartScript implements gse.Transport: one async_execute_script call with
// the script, one atomic task and every host that has an agent id; hosts
// without one fail as AGENT_NOT_INSTALLED.
func (t *Transport) StartScript(ctx context.Context, task gse.ScriptTask) error {
	if err := t.checkNew(task.TaskID); err != nil {
		return err
	}
	byAgent, none, err := agentsOf("hosts", task.Hosts)
	if err != nil {
		return err
	}
	content, err := scriptContent(task)
	if err != nil {
		return err
	}
	if len(byAgent) == 0 {
		t.register(task.TaskID, &running{}, func(context.Context) { t.notInstalled(task.TaskID, none) })
		return nil
	}
	dir := path.Join(t.cfg.ScriptRoot, task.Account)
	ext := gse.ScriptExt(task.Language)
	if ext == "" {
		ext = ".sh" // GSE runs the file by its shebang; an unknown language keeps the shell name
	}
	name := "bk_gse_script_" + safeName(task.TaskID) + ext
	command := path.Join(dir, name)
	params, err := gse.QuotedParams(task.Params)
	if err != nil {
		return fmt.Errorf("start script task %s: %w", task.TaskID, err)
	}
	command += params
	req := ExecuteScriptRequest{
		Scripts:         []Script{{Name: name, StoreDir: dir, Content: content}},
		AtomicTasks:     []AtomicTask{{ID: 0, Command: command, TimeoutSeconds: timeoutSeconds(task.Timeout)}},
		AtomicRelations: []AtomicRelation{{ID: 0, Depends: []int{}}},
	}
	for _, id := range slices.Sorted(maps.Keys(byAgent)) {
		req.Agents = append(req.Agents, Agent{AgentID: id, User: task.Account})
	}
	gseID, err := t.client.ExecuteScript(ctx, req)
	if err != nil {
		return fmt.Errorf("start script task %s in gse: %w", task.TaskID, err)
	}
	r := &running{gseID: gseID, byAgent: byAgent}
	t.register(task.TaskID, r, func(ctx context.Context) {
		t.notInstalled(task.TaskID, none)
		t.pollScript(ctx, task, r)
	})
	return nil
}

// scriptContent returns the script GSE writes. GSE has no environment or
// working directory fields, so for shell scripts they are set by lines
// inserted after the shebang; other languages cannot have them.
func scriptContent(task gse.ScriptTask) (string, error) {
	if len(task.Env) == 0 && task.WorkDir == "" {
		return task.Content, nil
	}
	if task.Language != gse.LangShell {
		return "", errs.Invalid("env", "GSE 2.0 takes environment variables and a work dir for shell scripts only")
	}
	var pre strings.Builder
	for _, k := range slices.Sorted(maps.Keys(task.Env)) {
		if !gse.ValidEnvName(k) {
			return "", errs.Invalid("env", "invalid variable name %q", k)
		}
		fmt.Fprintf(&pre, "export %s=%s\n", k, shellQuote(task.Env[k]))
	}
	if task.WorkDir != "" {
		fmt.Fprintf(&pre, "cd %s || exit 1\n", shellQuote(task.WorkDir))
	}
	content := task.Content
	if strings.HasPrefix(content, "#!") {
		first, rest, _ := strings.Cut(content, "\n")
		return first + "\n" + pre.String() + rest, nil
	}
	return pre.String() + content, nil
}

// agentLog is the polling state of one agent of a script task.
type agentLog struct {
	host     gse.Host
	offset   int64
	running  bool
	lastSeen time.Time
}

// pollScript polls GSE at the configured cadence until every agent has a
// final result, turning log increments into output chunks.
func (t *Transport) pollScript(ctx context.Context, task gse.ScriptTask, r *running) {
	start := time.Now()
	pending := make(map[string]*agentLog, len(r.byAgent))
	for id, h := range r.byAgent {
		pending[id] = &agentLog{host: h, lastSeen: start}
	}
	for len(pending) > 0 {
		if !sleep(ctx, t.cfg.ScriptCadence(time.Since(start))) {
			return
		}
		req := ScriptResultRequest{TaskID: r.gseID}
		for _, id := range slices.Sorted(maps.Keys(pending)) {
			req.AgentTasks = append(req.AgentTasks, AgentTaskQuery{AgentID: id,
				AtomicTasks: []AtomicQuery{{ID: 0, Offset: pending[id].offset, Limit: t.cfg.LogLimit}}})
		}
		results, err := t.client.ScriptResult(ctx, req)
		if err != nil {
			t.log.Warn("gse2 poll script", "task_id", task.TaskID, "gse_task_id", r.gseID, "err", err)
		}
		now := time.Now()
		for _, res := range results {
			a := pending[res.AgentID]
			if a == nil || res.AtomicID != 0 {
				continue
			}
			a.lastSeen = now
			if t.scriptProgress(task.TaskID, a, res) {
				delete(pending, res.AgentID)
			}
		}
		t.expire(task.TaskID, task.Timeout, start, now, pending)
	}
}

// scriptProgress delivers what one result says and reports whether the
// agent is done.
func (t *Transport) scriptProgress(taskID string, a *agentLog, res ScriptResult) bool {
	var events []gse.Event
	if res.Screen != "" {
		events = append(events, gse.Event{Kind: gse.EventOutput, TaskID: taskID, HostID: a.host.ID,
			Output: &gse.OutputChunk{Offset: a.offset, Data: []byte(res.Screen)}})
		a.offset += int64(len(res.Screen))
	}
	switch {
	case isRunning(res.Status, res.ErrorCode):
		if !a.running && res.Status == StatusRunning {
			a.running = true
			events = append(events, resultEvent(taskID, a.host.ID, gse.HostResult{
				Status: gse.HostStatusRunning, ErrorCode: gse.ErrorCodeRunning, Start: unixTime(res.StartTime), Offset: a.offset,
			}))
		}
		t.deliver(events...)
		return false
	case int64(len(res.Screen)) >= t.cfg.LogLimit:
		// Finished, but there may be more log than one answer carries.
		t.deliver(events...)
		return false
	}
	exit := normalizeExitCode(res.ExitCode)
	status, code := finalStatus(res.Status, res.ErrorCode, exit, gse.HostStatusGSEScriptTimeout)
	end := unixTime(res.EndTime)
	if end.IsZero() {
		end = time.Now()
	}
	events = append(events, resultEvent(taskID, a.host.ID, gse.HostResult{
		Status: status, ExitCode: exit, ErrorCode: code, ErrorMsg: res.ErrorMsg, Tag: res.Tag,
		Start: unixTime(res.StartTime), End: end, Offset: a.offset,
	}))
	t.deliver(events...)
	return true
}

// expire fails agents GSE has said nothing about for NoResultTimeout, and
// every pending agent once the task outlived its timeout by TimeoutGrace.
func (t *Transport) expire(taskID string, timeout time.Duration, start, now time.Time, pending map[string]*agentLog) {
	overdue := timeout > 0 && now.Sub(start) > timeout+t.cfg.TimeoutGrace
	for id, a := range pending {
		var status int
		var msg string
		switch {
		case overdue:
			status, msg = gse.HostStatusTaskTimeout, fmt.Sprintf("no final result %s after the task's timeout", t.cfg.TimeoutGrace)
		case now.Sub(a.lastSeen) > t.cfg.NoResultTimeout:
			status, msg = gse.HostStatusGSETaskError, fmt.Sprintf("GSE returned no result for %s", t.cfg.NoResultTimeout)
		default:
			continue
		}
		t.deliver(resultEvent(taskID, a.host.ID, gse.HostResult{
			Status: status, ExitCode: -1, ErrorCode: gse.ErrorCodeOther, ErrorMsg: msg,
			Start: start, End: now, Offset: a.offset,
		}))
		delete(pending, id)
	}
}

// safeName keeps letters, digits, '-' and '_' of a task id for a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, s)
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
