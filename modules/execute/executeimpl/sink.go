package executeimpl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/text"
)

// maxFileMessageBytes bounds a file progress message kept in the log.
const maxFileMessageBytes = 4096

// Sink is where the transport delivers host output and results. A nil
// return means the events are stored (logs flushed, rows committed); an
// error makes the transport deliver them again, which is harmless: output
// before a host's stored log offset is dropped and results only land on
// hosts still running.
func (e *Engine) Sink() gse.Sink { return e.sink }

func (e *Engine) sink(ctx context.Context, events []gse.Event) error {
	return refusal(e.take(ctx, events))
}

// refusal marks an error about the events' own data (a value the database
// refuses, a log key logsvr refuses) as gse.ErrEventsRefused: the
// transport's guard then retries the batch a bounded number of times and
// sets it aside instead of retrying for ever. Any other error (the database
// or logsvr away) is returned as is and retried until it clears.
func refusal(err error) error {
	if err == nil || !(db.IsDataError(err) || errors.Is(err, logsvr.ErrInvalidKey) || errors.Is(err, errs.ErrInvalid)) {
		return err
	}
	return gse.ErrEventsRefused.Withf("store events: %s", text.Truncate(err.Error(), maxErrorMsgBytes))
}

// take stores a batch of events: logs first, then host rows.
func (e *Engine) take(ctx context.Context, events []gse.Event) error {
	if !e.enter() {
		return errStopped
	}
	defer e.work.Done()
	var (
		order  []taskKey
		byTask = map[taskKey][]gse.Event{}
	)
	for _, ev := range events {
		k, err := parseTaskID(ev.TaskID)
		if err != nil {
			e.log.Warn("dropping event of a foreign task", "task_id", ev.TaskID, "err", err)
			continue
		}
		if _, ok := byTask[k]; !ok {
			order = append(order, k)
		}
		byTask[k] = append(byTask[k], ev)
	}
	var (
		chunks []logsvr.ScriptChunk
		files  []logsvr.FileLog
		ups    []hostUpdate
		done   []taskKey
	)
	for _, k := range order {
		in, err := e.intake(ctx, k, byTask[k])
		if err != nil {
			return err
		}
		chunks, files, ups = append(chunks, in.chunks...), append(files, in.files...), append(ups, in.ups...)
		if in.results {
			done = append(done, k)
		}
	}
	if len(chunks) > 0 {
		if err := e.logs.WriteScript(ctx, chunks); err != nil {
			return fmt.Errorf("write script logs: %w", err)
		}
	}
	if len(files) > 0 {
		if err := e.logs.WriteFile(ctx, files); err != nil {
			return fmt.Errorf("write file logs: %w", err)
		}
	}
	if len(chunks) > 0 || len(files) > 0 {
		if err := e.logs.Flush(ctx); err != nil {
			return fmt.Errorf("flush logs: %w", err)
		}
	}
	if err := e.st.applyHostUpdates(ctx, ups); err != nil {
		return err
	}
	for _, k := range done {
		if err := e.finishIfDone(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// intake is what one gse task's events turn into.
type intake struct {
	chunks  []logsvr.ScriptChunk
	files   []logsvr.FileLog
	ups     []hostUpdate
	results bool
}

// intake matches events with the task's host rows: output is cut to what
// lies past the stored log offset, results become row updates.
func (e *Engine) intake(ctx context.Context, k taskKey, events []gse.Event) (intake, error) {
	var out intake
	meta, err := e.steps.get(ctx, e.st, k.StepInstanceID)
	if err != nil {
		if ignoreNotFound(err) == nil {
			e.log.Warn("dropping events of an unknown step", "task_id", k.transportID())
			return out, nil
		}
		return out, err
	}
	ids := make([]int64, 0, len(events))
	seen := map[int64]bool{}
	for _, ev := range events {
		if !seen[ev.HostID] {
			seen[ev.HostID] = true
			ids = append(ids, ev.HostID)
		}
	}
	rows, err := e.st.hostTasks(ctx, k, ids)
	if err != nil {
		return out, err
	}
	byHost := make(map[int64]*hostState, len(rows))
	for _, r := range rows {
		byHost[r.HostID] = &hostState{row: r, next: r.LogOffset}
	}
	ref := meta.logRef(k)
	now := e.nowMS()
	for _, ev := range events {
		h := byHost[ev.HostID]
		switch ev.Kind {
		case gse.EventOutput:
			if h == nil || ev.Output == nil {
				continue
			}
			if c, ok := h.cut(ev.Output); ok {
				out.chunks = append(out.chunks, logsvr.ScriptChunk{HostKey: logsvr.HostKey{StepRef: ref, HostID: ev.HostID},
					Host: fmt.Sprintf("%d:%s", h.row.CloudID, h.row.IP), Offset: c.Offset, Data: c.Data})
			}
		case gse.EventResult:
			if h == nil || ev.Result == nil {
				continue
			}
			h.result = ev.Result
		case gse.EventFile:
			if ev.File != nil {
				out.files = append(out.files, fileLog(ref, ev, now))
			}
		}
	}
	for _, h := range byHost {
		u := hostUpdate{id: h.row.ID}
		if h.next > h.row.LogOffset {
			u.logOffset = h.next
			u.running, u.start = h.row.Status == gse.HostStatusWaiting, now
		}
		if h.result != nil {
			if gse.HostStatusFinished(h.result.Status) {
				u.result = resultSet(h.result, now)
				out.results = true
			} else {
				u.running, u.start = true, msOr(h.result.Start, now)
			}
		}
		if u.logOffset > 0 || u.result != nil || u.running {
			out.ups = append(out.ups, u)
		}
	}
	return out, nil
}

// hostState tracks one host while a batch of events is taken in.
type hostState struct {
	row    hostTask
	next   int64 // log offset after the output taken so far
	result *gse.HostResult
}

// cut drops the part of a chunk before the host's log offset; ok is false
// when nothing new is left.
func (h *hostState) cut(c *gse.OutputChunk) (gse.OutputChunk, bool) {
	end := c.Offset + int64(len(c.Data))
	if end <= h.next || len(c.Data) == 0 {
		return gse.OutputChunk{}, false
	}
	data, off := c.Data, c.Offset
	if off < h.next {
		data, off = data[h.next-off:], h.next
	}
	h.next = end
	return gse.OutputChunk{Offset: off, Data: data}, true
}

// resultSet is the row update of a final host result.
func resultSet(r *gse.HostResult, now int64) *finalResult {
	start := msOr(r.Start, now)
	end := msOr(r.End, now)
	code := r.ErrorCode
	if code == 0 && r.Status != gse.HostStatusSuccess {
		code = execute.HostErrorCode(r.Status)
	}
	// The same cut as the agent's (gse/output): whole characters, valid
	// UTF-8, so the tag column never refuses it whatever the transport sent.
	tag := text.TruncateChars(r.Tag, execute.MaxTagLength)
	if end < start {
		end = start
	}
	return &finalResult{status: r.Status, exitCode: r.ExitCode, errorCode: code, errorMsg: trimMsg(r.ErrorMsg), tag: tag, start: start, end: end}
}

// fileLog turns a file progress event into a log entry.
func fileLog(ref logsvr.StepRef, ev gse.Event, now int64) logsvr.FileLog {
	f := ev.File
	// Paths and messages come from the host: a file name need not be UTF-8.
	msg := text.Truncate(f.Message, maxFileMessageBytes)
	l := logsvr.FileLog{StepRef: ref, Mode: f.Mode, HostID: ev.HostID, SrcHostID: f.SrcHostID, SrcPath: text.Valid(f.SrcPath),
		DestPath: text.Valid(f.DestPath), Size: f.Size, Bytes: f.Bytes, Speed: f.Speed, Percent: f.Percent, Status: f.Status, StatusDesc: msg}
	if f.Mode == logsvr.ModeDownload {
		l.DestHostID = ev.HostID
	}
	switch {
	case fileEnded(f.Status):
		l.Lines = []logsvr.TimeLog{{Time: time.UnixMilli(now).UTC(), Content: fileStateLine(l, msg)}}
	case msg != "":
		l.Lines = []logsvr.TimeLog{{Time: time.UnixMilli(now).UTC(), Content: msg}}
	}
	return l
}

func msOr(t time.Time, fallback int64) int64 {
	if t.IsZero() {
		return fallback
	}
	return t.UnixMilli()
}
