package logsvrimpl

import (
	"context"
	"sync"

	"github.com/bkjob/bkjob/modules/logsvr"
)

// watchBuffer is how many chunks a watcher may lag before it misses some.
const watchBuffer = 256

// hub fans stored pieces out to in-process watchers.
type hub struct {
	mu     sync.Mutex
	next   int
	byStep map[int64]map[int]*watcher
}

type watcher struct {
	ref    logsvr.StepRef
	hostID int64
	ch     chan logsvr.ScriptChunk
}

func newHub() *hub { return &hub{byStep: map[int64]map[int]*watcher{}} }

// watch registers a watcher until ctx ends.
func (h *hub) watch(ctx context.Context, ref logsvr.StepRef, hostID int64) <-chan logsvr.ScriptChunk {
	w := &watcher{ref: ref, hostID: hostID, ch: make(chan logsvr.ScriptChunk, watchBuffer)}
	h.mu.Lock()
	id := h.next
	h.next++
	m := h.byStep[ref.StepInstanceID]
	if m == nil {
		m = map[int]*watcher{}
		h.byStep[ref.StepInstanceID] = m
	}
	m[id] = w
	h.mu.Unlock()
	go func() {
		<-ctx.Done()
		h.remove(ref.StepInstanceID, id)
	}()
	return w.ch
}

func (h *hub) remove(step int64, id int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.byStep[step]
	if w, ok := m[id]; ok {
		delete(m, id)
		close(w.ch)
		if len(m) == 0 {
			delete(h.byStep, step)
		}
	}
}

// publish sends stored pieces to matching watchers without blocking.
func (h *hub) publish(pieces []piece) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.byStep) == 0 {
		return
	}
	for _, p := range pieces {
		for _, w := range h.byStep[p.key.step] {
			if !w.match(p) {
				continue
			}
			ref := p.ref
			ref.Batch = p.key.batch
			c := logsvr.ScriptChunk{
				HostKey: logsvr.HostKey{StepRef: ref, HostID: p.key.host},
				Host:    p.host, Offset: p.pos, Data: p.data,
			}
			select {
			case w.ch <- c:
			default: // the watcher lags: it sees the gap by offset and reads it
			}
		}
	}
}

func (w *watcher) match(p piece) bool {
	return p.key.exec == w.ref.ExecuteCount &&
		(w.ref.Batch == logsvr.AnyBatch || p.key.batch == w.ref.Batch) &&
		(w.hostID == 0 || p.key.host == w.hostID)
}

// closeAll ends every watch (the store stops).
func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for step, m := range h.byStep {
		for id, w := range m {
			close(w.ch)
			delete(m, id)
		}
		delete(h.byStep, step)
	}
}
