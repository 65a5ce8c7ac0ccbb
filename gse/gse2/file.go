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

// fileSource is one task source as GSE sees it.
type fileSource struct {
	agent   Agent
	host    *gse.Host // nil for blob sources
	dir     string
	name    string
	display string // path reported in progress
	dest    string // target dir
	target  string // file name at the target
}

// StartFile implements gse.Transport: one async_transfer_file call with a
// transfer per source to every target that has an agent id.
func (t *Transport) StartFile(ctx context.Context, task gse.FileTask) error {
	if err := t.checkNew(task.TaskID); err != nil {
		return err
	}
	if task.Mode == 0 {
		task.Mode = gse.TransferForce
	}
	if task.Mode < gse.TransferStrict || task.Mode > gse.TransferSafetyDateIP {
		return errs.Invalid("mode", "must be 1..4, got %d", task.Mode)
	}
	if err := checkAbsPath(task.TargetDir); err != nil {
		return errs.Invalid("target_dir", "%v", err)
	}
	byAgent, none, err := agentsOf("targets", task.Targets)
	if err != nil {
		return err
	}
	sources, err := t.fileSources(task, time.Now())
	if err != nil {
		return err
	}
	if len(byAgent) == 0 {
		t.register(task.TaskID, &running{file: true}, func(context.Context) { t.notInstalled(task.TaskID, none) })
		return nil
	}
	var targets []Agent
	for _, id := range slices.Sorted(maps.Keys(byAgent)) {
		targets = append(targets, Agent{AgentID: id, User: task.Account})
	}
	req := TransferFileRequest{
		TimeoutSeconds: timeoutSeconds(task.Timeout),
		AutoMkdir:      task.Mode != gse.TransferStrict,
		UploadSpeed:    megabytes(task.UploadLimit),
		DownloadSpeed:  megabytes(task.DownloadLimit),
	}
	for _, s := range sources {
		agent := s.agent
		req.Tasks = append(req.Tasks, TransferTask{
			Source: FileEnd{FileName: s.name, StoreDir: s.dir, Agent: &agent},
			Target: FileEnd{FileName: s.target, StoreDir: s.dest, Owner: task.Account, Agents: targets},
		})
	}
	gseID, err := t.client.TransferFile(ctx, req)
	if err != nil {
		return fmt.Errorf("start file task %s in gse: %w", task.TaskID, err)
	}
	r := &running{file: true, gseID: gseID, byAgent: byAgent}
	t.register(task.TaskID, r, func(ctx context.Context) {
		t.notInstalled(task.TaskID, none)
		t.pollFile(ctx, task, r, sources)
	})
	return nil
}

// fileSources resolves each source to an agent and a path on it.
func (t *Transport) fileSources(task gse.FileTask, started time.Time) ([]fileSource, error) {
	if len(task.Sources) == 0 {
		return nil, errs.Invalid("sources", "at least one source is required")
	}
	out := make([]fileSource, 0, len(task.Sources))
	for i, s := range task.Sources {
		field := fmt.Sprintf("sources[%d]", i)
		if s.Name != "" && (strings.Contains(s.Name, "/") || s.Name == "." || s.Name == "..") {
			return nil, errs.Invalid(field+".name", "must be a plain file name, got %q", s.Name)
		}
		var fs fileSource
		switch {
		case s.BlobKey != "" && s.Host != nil:
			return nil, errs.Invalid(field, "has both a blob key and a source host")
		case s.BlobKey != "":
			if t.cfg.BlobAgent == "" || t.deps.Blob == nil {
				return nil, errs.ErrNotImplemented.Withf(
					"blob sources over GSE 2.0 need a blob agent (a GSE agent on a host that mounts the blob store)").OnField(field)
			}
			p, err := t.deps.Blob.Path(s.BlobKey)
			if err != nil {
				return nil, errs.Invalid(field+".blob_key", "%v", err)
			}
			fs = fileSource{agent: Agent{AgentID: t.cfg.BlobAgent, User: t.cfg.BlobAgentUser},
				dir: path.Dir(p), name: path.Base(p), display: s.BlobKey}
		case s.Host != nil:
			if s.Host.AgentID == "" {
				return nil, errs.Invalid(field+".host", "source host %d has no GSE agent id", s.Host.ID)
			}
			if err := checkAbsPath(s.Path); err != nil {
				return nil, errs.Invalid(field+".path", "%v", err)
			}
			account := s.Account
			if account == "" {
				account = task.Account
			}
			clean := path.Clean(s.Path)
			h := *s.Host
			fs = fileSource{agent: Agent{AgentID: h.AgentID, User: account}, host: &h,
				dir: path.Dir(clean), name: path.Base(clean), display: s.Path}
		default:
			return nil, errs.Invalid(field, "needs a blob key or a source host")
		}
		fs.target = s.Name
		if fs.target == "" {
			fs.target = fs.name
		}
		fs.dest = task.DestDir(s, started)
		out = append(out, fs)
	}
	return out, nil
}

// fileKey identifies one file entry of a transfer result.
type fileKey struct {
	mode                   int
	srcAgent, src          string
	destAgent, destination string
}

// fileTarget is the polling state of one target agent.
type fileTarget struct {
	host     gse.Host
	lastSeen time.Time
	entries  map[fileKey]FileResult
}

// pollFile polls a file task until every target agent is done.
func (t *Transport) pollFile(ctx context.Context, task gse.FileTask, r *running, sources []fileSource) {
	start := time.Now()
	pending := make(map[string]*fileTarget, len(r.byAgent))
	query := map[string]bool{}
	for id, h := range r.byAgent {
		pending[id] = &fileTarget{host: h, lastSeen: start, entries: map[fileKey]FileResult{}}
		query[id] = true
	}
	sourceHosts := map[string]gse.Host{}
	for _, s := range sources {
		query[s.agent.AgentID] = true
		if s.host != nil {
			sourceHosts[s.agent.AgentID] = *s.host
		}
	}
	req := TaskAgentsRequest{TaskID: r.gseID}
	for _, id := range slices.Sorted(maps.Keys(query)) {
		req.Agents = append(req.Agents, Agent{AgentID: id})
	}
	reported := map[fileKey]gse.FileProgress{}
	uploadFailed := map[int]FileResult{} // source index → failed upload

	for len(pending) > 0 {
		if !sleep(ctx, t.cfg.FileCadence(time.Since(start))) {
			return
		}
		results, err := t.client.TransferResult(ctx, req)
		if err != nil {
			t.log.Warn("gse2 poll file", "task_id", task.TaskID, "gse_task_id", r.gseID, "err", err)
		}
		now := time.Now()
		for _, res := range results {
			t.fileEntry(task.TaskID, res, pending, sourceHosts, sources, reported, uploadFailed, now)
		}
		for id, ft := range pending {
			if res, done := targetDone(ft, sources, uploadFailed); done {
				t.deliver(resultEvent(task.TaskID, ft.host.ID, res))
				delete(pending, id)
			}
		}
		t.expireFiles(task, start, now, pending)
	}
}

// fileEntry records one result entry and reports its progress when it changed.
func (t *Transport) fileEntry(taskID string, res FileResult, pending map[string]*fileTarget,
	sourceHosts map[string]gse.Host, sources []fileSource, reported map[fileKey]gse.FileProgress,
	uploadFailed map[int]FileResult, now time.Time,
) {
	c := res.Content
	key := fileKey{mode: c.Mode, srcAgent: c.SourceAgentID, src: path.Join(c.SourceFileDir, c.SourceFileName),
		destAgent: c.DestAgentID, destination: path.Join(c.DestFileDir, c.DestFileName)}
	var hostID int64
	if c.Mode == 1 {
		ft := pending[c.DestAgentID]
		if ft == nil {
			return
		}
		ft.lastSeen = now
		ft.entries[key] = res
		hostID = ft.host.ID
	} else {
		if i := sourceIndex(sources, c.SourceAgentID, key.src); i >= 0 && !isRunning(c.Status, res.ErrorCode) &&
			!(res.ErrorCode == ErrorCodeOK && c.Status == StatusSuccess) {
			uploadFailed[i] = res
		}
		h, ok := sourceHosts[c.SourceAgentID]
		if !ok {
			return
		}
		hostID = h.ID
	}
	var srcHost int64
	if h, ok := sourceHosts[c.SourceAgentID]; ok {
		srcHost = h.ID
	}
	p := gse.FileProgress{
		Mode: c.Mode, SrcHostID: srcHost, SrcPath: key.src, DestPath: key.destination,
		Size: c.Size, Bytes: c.Size * int64(c.Progress) / 100, Speed: c.Speed * 1024, Percent: c.Progress,
		Status: fileStatus(c.Status, res.ErrorCode, c.Mode), Message: firstNonEmpty(res.ErrorMsg, c.StatusInfo),
	}
	if prev, ok := reported[key]; ok && prev == p {
		return
	}
	reported[key] = p
	t.deliver(gse.Event{Kind: gse.EventFile, TaskID: taskID, HostID: hostID, File: &p})
}

// targetDone reports whether every source has reached the target (or
// failed at its source) and, if so, the target's result.
func targetDone(ft *fileTarget, sources []fileSource, uploadFailed map[int]FileResult) (gse.HostResult, bool) {
	var first *FileResult
	var start, end time.Time
	for i := range sources {
		seen := false
		for k, e := range ft.entries {
			if sourceIndex(sources, k.srcAgent, k.src) != i {
				continue
			}
			seen = true
			if isRunning(e.Content.Status, e.ErrorCode) {
				return gse.HostResult{}, false
			}
			if st := unixTime(e.Content.StartTime); start.IsZero() || (!st.IsZero() && st.Before(start)) {
				start = st
			}
			if et := unixTime(e.Content.EndTime); et.After(end) {
				end = et
			}
			if first == nil && !(e.ErrorCode == ErrorCodeOK && e.Content.Status == StatusSuccess) {
				first = &e
			}
		}
		if !seen {
			failed, ok := uploadFailed[i]
			if !ok {
				return gse.HostResult{}, false
			}
			if first == nil {
				first = &failed
			}
		}
	}
	if end.IsZero() {
		end = time.Now()
	}
	if first == nil {
		return gse.HostResult{Status: gse.HostStatusSuccess, ErrorCode: gse.ErrorCodeFinished, Start: start, End: end}, true
	}
	status, code := finalStatus(first.Content.Status, first.ErrorCode, 0, gse.HostStatusGSEFileTimeout)
	if status == gse.HostStatusSuccess {
		status, code = gse.HostStatusFailed, gse.ErrorCodeOther
	}
	return gse.HostResult{Status: status, ErrorCode: code, ExitCode: -1,
		ErrorMsg: firstNonEmpty(first.ErrorMsg, first.Content.StatusInfo), Start: start, End: end}, true
}

// sourceIndex finds the task source a GSE entry belongs to: same agent and
// the same path, or a path inside a source directory.
func sourceIndex(sources []fileSource, agentID, p string) int {
	for i, s := range sources {
		full := path.Join(s.dir, s.name)
		if s.agent.AgentID == agentID && (p == full || strings.HasPrefix(p, full+"/")) {
			return i
		}
	}
	return -1
}

func (t *Transport) expireFiles(task gse.FileTask, start, now time.Time, pending map[string]*fileTarget) {
	overdue := task.Timeout > 0 && now.Sub(start) > task.Timeout+t.cfg.TimeoutGrace
	for id, ft := range pending {
		var status int
		var msg string
		switch {
		case overdue:
			status, msg = gse.HostStatusTaskTimeout, fmt.Sprintf("no final result %s after the task's timeout", t.cfg.TimeoutGrace)
		case now.Sub(ft.lastSeen) > t.cfg.NoResultTimeout:
			status, msg = gse.HostStatusGSETaskError, fmt.Sprintf("GSE returned no result for %s", t.cfg.NoResultTimeout)
		default:
			continue
		}
		t.deliver(resultEvent(task.TaskID, ft.host.ID, gse.HostResult{
			Status: status, ExitCode: -1, ErrorCode: gse.ErrorCodeOther, ErrorMsg: msg, Start: start, End: now,
		}))
		delete(pending, id)
	}
}

// checkAbsPath refuses relative paths and any ".." element.
func checkAbsPath(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("path %q must be absolute", p)
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return fmt.Errorf("path %q must not contain \"..\"", p)
		}
	}
	return nil
}

// megabytes converts a bytes/s limit to GSE's MB/s, rounding up; 0 stays 0.
func megabytes(bps int64) int {
	if bps <= 0 {
		return 0
	}
	return int((bps + (1 << 20) - 1) >> 20)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
