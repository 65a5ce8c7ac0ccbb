package agent

import (
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

const (
	// chunkSize is the largest output message.
	chunkSize = 64 << 10
	// outputWindow bounds a task's output sent but not yet acknowledged.
	outputWindow = 1 << 20
	// flushDelay is how long fresh output may wait to be batched.
	flushDelay = 100 * time.Millisecond
)

// Task kinds.
const (
	kindScript = "script"
	kindFile   = "file"
)

// task is one task the agent holds. The fields below the line are guarded
// by agent.mu.
type task struct {
	id   string
	kind string
	dir  string
	out  *os.File // output spool: the runner appends, the pump reads with ReadAt
	stop chan struct{}

	stopOnce sync.Once

	size       int64 // output bytes spooled
	sent       int64 // output bytes sent on the current session
	acked      int64 // output bytes the hub took
	notified   int64 // size when the pump was last woken for this task
	flushArmed bool
	progress   []progressItem // not yet acknowledged, oldest first
	nextSeq    int64
	sentSeq    int64
	ackedSeq   int64
	result     *gse.HostResult
	resultSent bool
	void       bool // the hub no longer wants it: forget it when it ends
	removed    bool
}

type progressItem struct {
	seq int64
	p   gse.FileProgress
}

// requestStop asks the runner to terminate the task.
func (t *task) requestStop() {
	t.stopOnce.Do(func() { close(t.stop) })
}

// appendOutput spools b and schedules it for sending: at once when a full
// chunk is waiting, otherwise after flushDelay, so a chatty script does not
// become one message per line.
func (a *agent) appendOutput(t *task, b []byte) error {
	if _, err := t.out.Write(b); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t.size += int64(len(b))
	switch {
	case t.size-t.notified >= chunkSize:
		t.notified = t.size
		a.wakeLocked()
	case !t.flushArmed:
		t.flushArmed = true
		time.AfterFunc(flushDelay, func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			t.flushArmed = false
			t.notified = t.size
			a.wakeLocked()
		})
	}
	return nil
}

// addProgress queues a file progress report. An unsent report for the same
// file is replaced: only the latest state matters.
func (a *agent) addProgress(t *task, p gse.FileProgress) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t.nextSeq++
	item := progressItem{seq: t.nextSeq, p: p}
	for i := range t.progress {
		q := &t.progress[i]
		if q.seq > t.sentSeq && q.p.DestPath == p.DestPath && q.p.SrcPath == p.SrcPath && q.p.SrcHostID == p.SrcHostID {
			t.progress = append(t.progress[:i], t.progress[i+1:]...)
			break
		}
	}
	t.progress = append(t.progress, item)
	a.wakeLocked()
}

// finish records the final result on disk, then queues it.
func (a *agent) finish(t *task, res gse.HostResult) {
	a.mu.Lock()
	void := t.void
	res.Offset = t.size
	a.mu.Unlock()
	if void {
		a.remove(t)
		return
	}
	// The output the result counts and the result itself are on disk before
	// the result goes out (and the hub acknowledges it).
	if err := t.out.Sync(); err != nil {
		a.log.Error("sync task output", "task", t.id, "err", err)
	}
	if err := writeJSON(filepath.Join(t.dir, resultFile), res); err != nil {
		a.log.Error("persist task result", "task", t.id, "err", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t.result = &res
	a.wakeLocked()
}

// ack applies the hub's acknowledgement.
func (a *agent) ack(taskID string, ack *wire.Ack) {
	a.mu.Lock()
	t := a.tasks[taskID]
	if t == nil || ack == nil {
		a.mu.Unlock()
		return
	}
	t.acked = max(t.acked, ack.Offset)
	t.sent = max(t.sent, t.acked)
	t.ackedSeq = max(t.ackedSeq, ack.Seq)
	t.sentSeq = max(t.sentSeq, t.ackedSeq)
	keep := t.progress[:0]
	for _, p := range t.progress {
		if p.seq > t.ackedSeq {
			keep = append(keep, p)
		}
	}
	t.progress = keep
	running := t.result == nil
	if ack.Done && running {
		t.void = true
	}
	a.wakeLocked()
	a.mu.Unlock()
	switch {
	case ack.Done && running:
		a.log.Warn("hub voided a running task, stopping it", "task", taskID)
		t.requestStop()
	case ack.Done:
		a.remove(t)
	}
}

// remove forgets a task and deletes its spool.
func (a *agent) remove(t *task) {
	a.mu.Lock()
	if t.removed {
		a.mu.Unlock()
		return
	}
	t.removed = true
	delete(a.tasks, t.id)
	a.mu.Unlock()
	_ = t.out.Close()
	if err := os.RemoveAll(t.dir); err != nil {
		a.log.Warn("remove task spool", "task", t.id, "err", err)
	}
}

// outChunk is output to read from a task's spool and send.
type outChunk struct {
	t   *task
	off int64
	n   int
}

// pending is the next batch for the hub, in per-task order: output chunks,
// then progress, then the result once all output is sent.
func (a *agent) pending() ([]outChunk, []*wire.Message) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var chunks []outChunk
	var msgs []*wire.Message
	for _, t := range a.tasks {
		for t.sent < t.size && t.sent-t.acked < outputWindow {
			n := int(min(t.size-t.sent, chunkSize))
			chunks = append(chunks, outChunk{t: t, off: t.sent, n: n})
			t.sent += int64(n)
		}
		for _, p := range t.progress {
			if p.seq > t.sentSeq {
				pp := p.p
				msgs = append(msgs, &wire.Message{Type: wire.TypeProgress, TaskID: t.id, Seq: p.seq, Progress: &pp})
				t.sentSeq = p.seq
			}
		}
		if t.result != nil && !t.resultSent && t.sent == t.size {
			res := *t.result
			msgs = append(msgs, &wire.Message{Type: wire.TypeResult, TaskID: t.id, Result: &res})
			t.resultSent = true
		}
	}
	return chunks, msgs
}

// resetSent makes everything not acknowledged pending again (new session).
func (a *agent) resetSent() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, t := range a.tasks {
		t.sent = t.acked
		t.sentSeq = t.ackedSeq
		t.resultSent = false
	}
}

func (a *agent) wakeLocked() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}
