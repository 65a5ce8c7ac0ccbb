package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/bkjob/bkjob/gse/wire"
	"github.com/bkjob/bkjob/platform/blob"
)

// relay is a read forwarded to a source agent.
type relay struct {
	target   *agentConn
	origID   uint64
	source   *agentConn
	taskID   string
	deadline time.Time
}

// relayTimeout is how long a forwarded read waits for the source agent's
// reply. A source that hangs (or never answers on purpose) would otherwise
// hold the target's read slot for good; after this the target is told the
// source is offline (it retries) and the slot is freed. A chunk is at most
// wire.MaxChunk, so an honest source answers far sooner.
const relayTimeout = 3 * time.Minute

// maxReadsInFlight bounds the reads one agent connection may have waiting
// at the hub (for the blob store, the upload limit or the source agent).
// An honest agent has one read in flight per running file task, and runs
// at most 32 tasks by default (agent MaxTasks), so 64 is room to spare;
// without a bound an agent could park a goroutine per ~100-byte read
// until the hub runs out of memory.
const maxReadsInFlight = 64

// onRead answers a target agent's read: from the blob store, or by
// forwarding it to the source host's agent. Only reads of the task's own
// sources are served, at the upload limit of the task the hub dispatched
// (whatever limit the agent's read names). A read over the connection's
// in-flight limit is refused as busy (the agent retries it later), and the
// connection kept: a refusal costs the hub nothing, and an agent running
// more file tasks than the limit still completes them.
func (h *Hub) onRead(c *agentConn, l *link, m *wire.Message) {
	r := m.Read
	if r == nil {
		return
	}
	src, limit, err := l.allowRead(c, r)
	if err != nil {
		h.rejectLog.warn("refuse agent read", "host_id", c.hostID, "task", clip(r.TaskID), "err", err)
		h.replyErr(c, r.ID, wire.CodeFailed, err.Error())
		// The task is not running here (any more): its forwarded reads
		// wait for nothing.
		h.endRelays(func(rl *relay) bool { return rl.target == c && rl.taskID == r.TaskID }, wire.CodeFailed, "the task ended")
		return
	}
	if !h.acquireRead(c) {
		h.rejectLog.warn("refuse agent read", "host_id", c.hostID, "task", clip(r.TaskID), "reason", "too many reads in flight")
		h.replyErr(c, r.ID, wire.CodeBusy, fmt.Sprintf("more than %d reads in flight", h.maxReads))
		return
	}
	r.UploadLimit = limit
	if src.BlobKey != "" {
		if !h.spawn(func() {
			defer h.releaseRead(c)
			select {
			case h.blobSem <- struct{}{}:
			case <-c.ctx.Done():
				return
			}
			defer func() { <-h.blobSem }()
			reply := h.readBlob(c.ctx, r, src)
			_ = c.send(reply)
		}) {
			h.releaseRead(c)
		}
		return
	}
	if n := readSize(r, wire.MaxChunk); limit > 0 && n > 0 {
		// The hub holds the read back to the task's rate; the source agent
		// is told the same limit.
		if !h.spawn(func() {
			if err := h.uploads.Wait(c.ctx, uploadKey(r.TaskID, src), limit, int(n)); err != nil {
				h.releaseRead(c)
				return
			}
			h.forwardRead(c, r, src)
		}) {
			h.releaseRead(c)
		}
		return
	}
	h.forwardRead(c, r, src)
}

// acquireRead takes one of c's in-flight read slots; false when all are
// taken.
func (h *Hub) acquireRead(c *agentConn) bool {
	h.relayMu.Lock()
	defer h.relayMu.Unlock()
	if h.reads[c] >= h.maxReads {
		return false
	}
	h.reads[c]++
	return true
}

// releaseRead gives back a slot of acquireRead (after c closed its count
// is gone already: nothing to do).
func (h *Hub) releaseRead(c *agentConn) {
	h.relayMu.Lock()
	defer h.relayMu.Unlock()
	h.releaseReadLocked(c)
}

func (h *Hub) releaseReadLocked(c *agentConn) {
	if n := h.reads[c]; n > 1 {
		h.reads[c] = n - 1
	} else {
		delete(h.reads, c)
	}
}

// readSize is the most a read can return: bounded by size, 0 for a list.
func readSize(r *wire.Read, size int64) int64 {
	if r.Op != wire.OpRead {
		return 0
	}
	return min(max(r.Length, 0), wire.MaxChunk, max(size, 0))
}

// uploadKey is the limiter of one source of a task: every target reading
// from it shares the source's upload limit.
func uploadKey(taskID string, src wire.FileSource) string {
	if src.BlobKey != "" {
		return taskID + "\x00blob"
	}
	return fmt.Sprintf("%s\x00%d", taskID, src.HostID)
}

// forwardRead relays a target's read to the source host's agent. The
// read keeps its in-flight slot until the source's reply is passed on
// (or either connection closes).
func (h *Hub) forwardRead(c *agentConn, r *wire.Read, src wire.FileSource) {
	var sc *agentConn
	if sl := h.existingLink(src.HostID); sl != nil {
		sc = sl.currentConn()
	}
	if sc == nil {
		h.releaseRead(c)
		h.replyErr(c, r.ID, wire.CodeOffline, fmt.Sprintf("the agent of source host %d is offline", src.HostID))
		return
	}
	h.relayMu.Lock()
	h.relayID++
	id := h.relayID
	h.relays[id] = &relay{target: c, origID: r.ID, source: sc, taskID: r.TaskID, deadline: time.Now().Add(relayTimeout)}
	h.relayMu.Unlock()
	fwd := *r
	fwd.ID, fwd.Source = id, src
	if err := sc.send(&wire.Message{Type: wire.TypeRead, TaskID: r.TaskID, Read: &fwd}); err != nil {
		h.relayMu.Lock()
		if _, ok := h.relays[id]; ok {
			delete(h.relays, id)
			h.releaseReadLocked(c)
		}
		h.relayMu.Unlock()
		h.replyErr(c, r.ID, wire.CodeOffline, fmt.Sprintf("the agent of source host %d is offline", src.HostID))
	}
}

// onReadReply passes a source agent's reply back to the target.
func (h *Hub) onReadReply(c *agentConn, m *wire.Message) {
	if m.Reply == nil {
		return
	}
	h.relayMu.Lock()
	r := h.relays[m.Reply.ID]
	if r != nil && r.source == c {
		delete(h.relays, m.Reply.ID)
		h.releaseReadLocked(r.target)
	} else {
		r = nil
	}
	h.relayMu.Unlock()
	if r == nil {
		return
	}
	reply := *m.Reply
	reply.ID = r.origID
	_ = r.target.send(&wire.Message{Type: wire.TypeReadReply, TaskID: m.TaskID, Reply: &reply, Data: m.Data})
}

// dropRelays fails reads waiting on a connection that closed.
func (h *Hub) dropRelays(c *agentConn) {
	h.relayMu.Lock()
	var orphans []*relay
	for id, r := range h.relays {
		if r.source == c || r.target == c {
			delete(h.relays, id)
			h.releaseReadLocked(r.target)
			if r.source == c {
				orphans = append(orphans, r)
			}
		}
	}
	delete(h.reads, c) // reads still waiting release into nothing
	h.relayMu.Unlock()
	for _, r := range orphans {
		h.replyErr(r.target, r.origID, wire.CodeOffline, "the source agent disconnected")
	}
}

func (h *Hub) replyErr(c *agentConn, id uint64, code, msg string) {
	_ = c.send(&wire.Message{Type: wire.TypeReadReply, Reply: &wire.ReadReply{ID: id, Code: code, Error: msg}})
}

// allowRead checks a read against the task's file job and returns the
// job's own copy of the source and the job's upload limit.
func (l *link) allowRead(c *agentConn, r *wire.Read) (wire.FileSource, int64, error) {
	l.mu.Lock()
	ht := l.tasks[r.TaskID]
	var job *wire.FileJob
	if ht != nil && !ht.final && c == l.conn && ht.agentID == c.agentID {
		job = ht.file
	}
	l.mu.Unlock()
	if job == nil {
		return wire.FileSource{}, 0, fmt.Errorf("task %s is not a running file task of this host", clip(r.TaskID))
	}
	src, err := matchSource(job, r)
	return src, job.UploadLimit, err
}

// matchSource finds the job's source a read is for and checks the read
// stays inside it.
func matchSource(job *wire.FileJob, r *wire.Read) (wire.FileSource, error) {
	for _, s := range job.Sources {
		if s.BlobKey != r.Source.BlobKey || s.HostID != r.Source.HostID || s.Path != r.Source.Path {
			continue
		}
		if r.Op == wire.OpList {
			return s, nil
		}
		if r.Op != wire.OpRead {
			return s, fmt.Errorf("unknown read op %q", r.Op)
		}
		if s.BlobKey != "" {
			if r.Path != s.BlobKey {
				return s, fmt.Errorf("read %q is not blob %q", r.Path, s.BlobKey)
			}
			return s, nil
		}
		root, _ := wire.CleanAbs(s.Path)
		p, err := wire.CleanAbs(r.Path)
		if err != nil {
			return s, err
		}
		if p != root && !strings.HasPrefix(p, strings.TrimSuffix(root, "/")+"/") {
			return s, fmt.Errorf("read %s is outside the source %s", p, root)
		}
		return s, nil
	}
	return wire.FileSource{}, fmt.Errorf("source %q is not part of task %s", r.Source.Path+r.Source.BlobKey, r.TaskID)
}

// readBlob answers a read of a blob-store source.
func (h *Hub) readBlob(ctx context.Context, r *wire.Read, src wire.FileSource) *wire.Message {
	rep := &wire.ReadReply{ID: r.ID}
	msg := &wire.Message{Type: wire.TypeReadReply, TaskID: r.TaskID, Reply: rep}
	var err error
	switch r.Op {
	case wire.OpList:
		var info blob.Info
		info, err = h.cfg.Blob.Stat(ctx, src.BlobKey)
		if err == nil {
			rep.Entries = []wire.Entry{{Path: src.BlobKey, Rel: path.Base(src.BlobKey), Size: info.Size, Mode: 0o644, SHA256: info.SHA256}}
		}
	case wire.OpRead:
		msg.Data, rep.EOF, err = h.readBlobChunk(ctx, r, src.BlobKey)
	}
	if err != nil {
		rep.Code, rep.Error = wire.CodeFailed, err.Error()
		if errors.Is(err, blob.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			rep.Code = wire.CodeNotFound
		}
	}
	return msg
}

func (h *Hub) readBlobChunk(ctx context.Context, r *wire.Read, key string) ([]byte, bool, error) {
	rc, info, err := h.cfg.Blob.Get(ctx, key)
	if err != nil {
		return nil, false, fmt.Errorf("open blob %s: %w", key, err)
	}
	defer func() { _ = rc.Close() }() // read only: closing loses nothing
	n := min(max(r.Length, 0), wire.MaxChunk, max(info.Size-r.Offset, 0))
	if err := h.uploads.Wait(ctx, uploadKey(r.TaskID, wire.FileSource{BlobKey: key}), r.UploadLimit, int(n)); err != nil {
		return nil, false, err
	}
	buf := make([]byte, n)
	var got int
	if ra, ok := rc.(io.ReaderAt); ok {
		got, err = ra.ReadAt(buf, r.Offset)
	} else {
		if _, err = io.CopyN(io.Discard, rc, r.Offset); err == nil {
			got, err = io.ReadFull(rc, buf)
		}
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, false, fmt.Errorf("read blob %s at %d: %w", key, r.Offset, err)
	}
	return buf[:got], r.Offset+int64(got) >= info.Size, nil
}
