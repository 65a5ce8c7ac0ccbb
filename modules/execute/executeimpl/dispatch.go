package executeimpl

import (
	"context"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/text"
)

// dispatch hands a gse task to the transport exactly once across engines:
// the BLANK → RUNNING claim picks one dispatcher; a claim never confirmed
// (the dispatcher died) is taken over after DispatchLease, and then only the
// hosts that never showed a sign of life are sent again. A task already
// confirmed is only re-attached: its results come back through the sink.
func (e *Engine) dispatch(ctx context.Context, k taskKey) error {
	g, err := e.st.gseTask(ctx, k)
	if err != nil || g == nil {
		return err
	}
	now := e.nowMS()
	retake := false
	switch g.Status {
	case int(execute.StatusBlank):
		ok, err := e.st.claimGseTask(ctx, nil, g.ID, []int{int(execute.StatusBlank)}, nil,
			map[string]any{"status": int(execute.StatusRunning), "claim_time": now, "start_time": now})
		if err != nil || !ok {
			return err
		}
	case int(execute.StatusRunning):
		if g.Dispatched == 1 {
			return e.finishIfDone(ctx, k)
		}
		if now-g.ClaimTime < e.opts.DispatchLease.Milliseconds() {
			return nil
		}
		ok, err := e.st.claimGseTask(ctx, nil, g.ID, []int{int(execute.StatusRunning)},
			map[string]any{"dispatched": 0, "claim_time": g.ClaimTime}, map[string]any{"claim_time": now})
		if err != nil || !ok {
			return err
		}
		retake = true
	default:
		return nil
	}
	rows, err := e.st.hostTasks(ctx, k, nil)
	if err != nil {
		return err
	}
	var targets []gse.Host
	for _, r := range rows {
		if r.Status == gse.HostStatusWaiting && (!retake || r.LogOffset == 0) {
			targets = append(targets, gse.Host{ID: r.HostID, CloudID: r.CloudID, IP: r.IP, AgentID: r.AgentID})
		}
	}
	if len(targets) > 0 {
		if targets, err = e.currentHosts(ctx, k.StepInstanceID, targets); err != nil {
			return err
		}
		if err := e.startOnTransport(ctx, k, g, targets); err != nil {
			if retake || errors.Is(err, errs.ErrUnavailable) {
				// A takeover: other hosts of this task may be running from
				// the first dispatch, and failing the task here would drop
				// their results. Unavailable: the transport (or what it
				// records to) is down for now. Either way the task is left
				// undispatched; the next reconcile after the lease tries
				// again, and the step timeout bounds the whole thing.
				e.log.Warn("dispatch failed, will retry", "task_id", g.GseTaskID, "hosts", len(targets), "takeover", retake, "err", err)
				return nil
			}
			e.log.Warn("dispatch failed", "task_id", g.GseTaskID, "hosts", len(targets), "err", err)
			if lerr := e.logDispatchFailure(ctx, k, targets, trimMsg(err.Error())); lerr != nil {
				e.log.Warn("write dispatch failure to host logs", "task_id", g.GseTaskID, "err", lerr)
			}
			if _, ferr := e.st.failUnfinished(ctx, k, gse.HostStatusSubmitFailed, gse.ErrorCodeOther, trimMsg(err.Error()), e.nowMS()); ferr != nil {
				return ferr
			}
		}
	}
	if _, err := e.st.claimGseTask(ctx, nil, g.ID, nil, map[string]any{"dispatched": 0}, map[string]any{"dispatched": 1}); err != nil {
		return err
	}
	if retake {
		e.log.Info("dispatch taken over", "task_id", g.GseTaskID, "hosts", len(targets))
	}
	// A terminate that came while the task was being handed over did not
	// reach the transport: pass it on now.
	if s, err := e.st.step(ctx, k.StepInstanceID); err == nil && s.Status == int(execute.StatusStopping) {
		return e.stopTransport(ctx, k)
	}
	return e.finishIfDone(ctx, k)
}

// startOnTransport builds the script or file task of the step and starts it.
func (e *Engine) startOnTransport(ctx context.Context, k taskKey, g *gseTask, hosts []gse.Host) error {
	s, err := e.st.step(ctx, k.StepInstanceID)
	if err != nil {
		return err
	}
	to := time.Duration(g.Timeout) * time.Second
	switch s.Type {
	case execute.StepTypeScript:
		d, err := s.script()
		if err != nil {
			return err
		}
		param, err := e.scriptParam(s.ID, d)
		if err != nil {
			return err
		}
		return e.tr.StartScript(ctx, gse.ScriptTask{TaskID: g.GseTaskID, Hosts: hosts, Language: d.Language,
			Content: d.Content, Params: param, Account: d.Account, Timeout: to})
	case execute.StepTypeFile:
		d, err := s.file()
		if err != nil {
			return err
		}
		task := gse.FileTask{TaskID: g.GseTaskID, Targets: hosts, TargetDir: d.TargetPath, Account: d.Account,
			Mode: d.TransferMode, UploadLimit: int64(d.UploadLimitMB) << 20, DownloadLimit: int64(d.DownloadLimitMB) << 20, Timeout: to}
		var srcHosts []gse.Host
		for _, src := range d.Sources {
			for _, h := range src.Hosts {
				srcHosts = append(srcHosts, gse.Host{ID: h.HostID, CloudID: h.CloudID, IP: h.IP, AgentID: h.AgentID})
			}
		}
		if srcHosts, err = e.currentHosts(ctx, s.ID, srcHosts); err != nil {
			return err
		}
		for _, src := range d.Sources {
			for _, b := range src.Blobs {
				task.Sources = append(task.Sources, gse.FileSource{BlobKey: b.Key, Name: b.Name})
			}
			for range src.Hosts {
				host := srcHosts[0]
				srcHosts = srcHosts[1:]
				for _, f := range src.Files {
					task.Sources = append(task.Sources, gse.FileSource{Host: &host, Path: f, Account: src.Account, Name: path.Base(f)})
				}
			}
		}
		return e.tr.StartFile(ctx, task)
	}
	return fmt.Errorf("step %d: type %d cannot be dispatched", s.ID, s.Type)
}

// finishIfDone ends a gse task once none of its hosts is waiting or running:
// SUCCESS only when every host succeeded, STOP_SUCCESS when it was being
// terminated, FAIL otherwise. The winner of the claim refreshes the step.
func (e *Engine) finishIfDone(ctx context.Context, k taskKey) error {
	n, err := e.st.countUnfinished(ctx, k)
	if err != nil || n > 0 {
		return err
	}
	g, err := e.st.gseTask(ctx, k)
	if err != nil || g == nil || execute.RunStatus(g.Status).Finished() {
		return err
	}
	status := execute.StatusStopSuccess
	if g.Status != int(execute.StatusStopping) {
		bad, err := e.st.countNotSucceeded(ctx, k)
		if err != nil {
			return err
		}
		status = execute.StatusSuccess
		if bad > 0 {
			status = execute.StatusFail
		}
	}
	now := e.nowMS()
	ok, err := e.st.claimGseTask(ctx, nil, g.ID, []int{int(execute.StatusBlank), int(execute.StatusRunning), int(execute.StatusStopping)}, nil,
		map[string]any{"status": int(status), "end_time": now, "total_time": elapsed(g.StartTime, now)})
	if err != nil || !ok {
		return err
	}
	if err := e.st.finishRolling(ctx, k, int(status), now); err != nil {
		return err
	}
	meta, err := e.steps.get(ctx, e.st, k.StepInstanceID)
	if err != nil {
		return err
	}
	e.publishStep(ctx, stepRefresh, &stepInstance{ID: k.StepInstanceID, TaskInstanceID: meta.JobInstanceID,
		ExecuteCount: k.ExecuteCount, Batch: k.Batch})
	return nil
}

// trimMsg bounds an error message to the error_msg column, on whole
// characters and as valid UTF-8 (platform/text).
func trimMsg(s string) string { return text.Truncate(s, maxErrorMsgBytes) }

// maxErrorMsgBytes fits the error_msg column (VARCHAR(1024)) in bytes too.
const maxErrorMsgBytes = 1000
