package logsvrimpl

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
)

// Tuning of the write buffer.
const (
	defaultFlushInterval = 200 * time.Millisecond
	defaultFlushBytes    = 1 << 20
	defaultMaxPending    = 64 << 20
	stateIdleAfter       = 10 * time.Minute
)

// tuning tunes a service; zero values take the defaults above.
type tuning struct {
	capBytes      int64
	retentionDays int
	flushInterval time.Duration
	flushBytes    int
	maxPending    int
}

// service is the Store in front of a backend: it validates, dedupes by
// offset, caps, buffers writes and flushes them in batches, and notifies
// watchers of what was stored.
type service struct {
	be   backend
	opt  tuning
	log  *slog.Logger
	hub  *hub
	kick chan struct{}

	mu       sync.Mutex
	states   map[hostKey]*hostState
	runs     map[hostKey]string  // step runs whose hosts are all in states -> day
	used     map[int64]time.Time // step -> last write, for evicting states
	pending  []piece
	files    []logsvr.FileLog
	bytes    int              // buffered bytes
	seq      uint64           // write sequence
	dirty    map[int64]uint64 // step -> seq of its last buffered write
	roomCh   chan struct{}    // closed and replaced after each flush
	closed   bool
	stopping bool       // Stop began: writes are refused, the last flush runs
	flushMu  sync.Mutex // one flush at a time
	stopOnce sync.Once
	stop     chan struct{}
	wg       sync.WaitGroup
}

var _ logsvr.Store = (*service)(nil)

func newService(be backend, opt tuning, log *slog.Logger) *service {
	if opt.flushInterval <= 0 {
		opt.flushInterval = defaultFlushInterval
	}
	if opt.flushBytes <= 0 {
		opt.flushBytes = defaultFlushBytes
	}
	if opt.maxPending <= 0 {
		opt.maxPending = defaultMaxPending
	}
	s := &service{
		be: be, opt: opt, log: log, hub: newHub(),
		kick:   make(chan struct{}, 1),
		states: map[hostKey]*hostState{},
		runs:   map[hostKey]string{},
		used:   map[int64]time.Time{},
		dirty:  map[int64]uint64{},
		roomCh: make(chan struct{}),
		stop:   make(chan struct{}),
	}
	s.wg.Add(1)
	go s.flushLoop()
	return s
}

// WriteScript dedupes and caps chunks against the known state of each host
// and buffers the resulting pieces.
func (s *service) WriteScript(ctx context.Context, chunks []logsvr.ScriptChunk) error {
	size := 0
	for _, c := range chunks {
		if err := c.Validate(); err != nil {
			return err
		}
		size += len(c.Data)
	}
	if err := s.waitRoom(ctx, size); err != nil {
		return err
	}
	_, err := s.applyChunks(ctx, chunks, true)
	return err
}

// enqueueLocked buffers pieces applied from chunks.
func (s *service) enqueueLocked(chunks []logsvr.ScriptChunk, pieces []piece) {
	now := time.Now()
	for _, p := range pieces {
		s.pending = append(s.pending, p)
		s.bytes += len(p.data)
	}
	for _, c := range chunks {
		s.seq++
		s.dirty[c.StepInstanceID] = s.seq
		s.used[c.StepInstanceID] = now
	}
	if s.bytes >= s.opt.flushBytes {
		s.kickFlush()
	}
}

// applyChunks loads the state of unknown hosts and applies chunks in offset
// order per host. It buffers the pieces to store when enqueue is set (in
// the same critical section, so a flush never sees a later piece of a host
// without the earlier ones) and returns them otherwise.
func (s *service) applyChunks(ctx context.Context, chunks []logsvr.ScriptChunk, enqueue bool) ([]piece, error) {
	ordered := sortChunks(chunks)
	for {
		if err := s.loadMissing(ctx, ordered); err != nil {
			return nil, err
		}
		s.mu.Lock()
		if s.closed || s.stopping {
			s.mu.Unlock()
			return nil, logsvr.ErrClosed
		}
		ready := true
		for _, c := range ordered {
			if s.states[keyOf(c.HostKey)] == nil { // evicted after loading: load again
				ready = false
				break
			}
		}
		if !ready {
			s.mu.Unlock()
			continue
		}
		var out []piece
		for _, c := range ordered {
			out = append(out, apply(s.states[keyOf(c.HostKey)], c, s.opt.capBytes)...)
		}
		if enqueue {
			s.enqueueLocked(ordered, out)
			out = nil
		}
		s.mu.Unlock()
		return out, nil
	}
}

// WriteFile buffers file log entries.
func (s *service) WriteFile(ctx context.Context, logs []logsvr.FileLog) error {
	size := 0
	for _, f := range logs {
		if err := f.Validate(); err != nil {
			return err
		}
		size += 256
		for _, l := range f.Lines {
			size += len(l.Content)
		}
	}
	if err := s.waitRoom(ctx, size); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.stopping {
		return logsvr.ErrClosed
	}
	for _, f := range logs {
		f.Lines = append([]logsvr.TimeLog(nil), f.Lines...)
		s.files = append(s.files, f)
		s.seq++
		s.dirty[f.StepInstanceID] = s.seq
	}
	s.bytes += size
	if s.bytes >= s.opt.flushBytes {
		s.kickFlush()
	}
	return nil
}

// loadMissing loads the durable state of hosts the service does not know.
// The first time a step run is touched it loads every host of the run at
// once, so later hosts of that run are known to be new without a query.
func (s *service) loadMissing(ctx context.Context, chunks []logsvr.ScriptChunk) error {
	type group struct {
		ref   logsvr.StepRef
		hosts []int64
	}
	var groups []*group
	byRun := map[hostKey]*group{}
	s.mu.Lock()
	for _, c := range chunks {
		k := keyOf(c.HostKey)
		if s.states[k] != nil {
			continue
		}
		run := runOf(k)
		if _, loaded := s.runs[run]; loaded {
			s.states[k] = &hostState{} // the run is loaded: the host is new
			continue
		}
		g := byRun[run]
		if g == nil {
			g = &group{ref: c.StepRef}
			byRun[run] = g
			groups = append(groups, g)
		}
		g.hosts = append(g.hosts, k.host)
	}
	s.mu.Unlock()
	for _, g := range groups {
		got, err := s.be.loadHosts(ctx, g.ref, nil)
		if err != nil {
			return err
		}
		run := hostKey{step: g.ref.StepInstanceID, exec: g.ref.ExecuteCount, batch: g.ref.Batch}
		s.mu.Lock()
		if _, loaded := s.runs[run]; !loaded {
			for h, st := range got {
				k := run
				k.host = h
				if s.states[k] == nil {
					st := st
					s.states[k] = &st
				}
			}
			s.runs[run] = g.ref.Day()
		}
		s.mu.Unlock()
	}
	return nil
}

// runOf is the step run of a host key (host zero).
func runOf(k hostKey) hostKey { return hostKey{step: k.step, exec: k.exec, batch: k.batch} }

// forgetRunLocked drops a run's loaded mark and its hosts' states, so the
// next write reloads them from the backend.
func (s *service) forgetRunLocked(run hostKey) {
	delete(s.runs, run)
	for k := range s.states {
		if runOf(k) == run {
			delete(s.states, k)
		}
	}
}

// waitRoom blocks while the buffer is over its limit, until a flush makes
// room or ctx ends.
func (s *service) waitRoom(ctx context.Context, size int) error {
	for {
		s.mu.Lock()
		if s.closed || s.stopping {
			s.mu.Unlock()
			return logsvr.ErrClosed
		}
		if s.bytes == 0 || s.bytes+size <= s.opt.maxPending {
			s.mu.Unlock()
			return nil
		}
		ch := s.roomCh
		s.kickFlush()
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return logsvr.ErrOverloaded.Withf("log store is behind: %d bytes unflushed: %v", s.opt.maxPending, ctx.Err())
		}
	}
}

func (s *service) kickFlush() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Start begins the daily retention purge.
func (s *service) Start(ctx context.Context) error {
	s.wg.Add(1)
	go s.retentionLoop(context.WithoutCancel(ctx))
	return nil
}

// Stop flushes everything buffered, stops the background loops and closes
// the backend.
func (s *service) Stop(ctx context.Context) error {
	var err error
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.stopping = true
		s.mu.Unlock()
		close(s.stop)
		s.wg.Wait()
		err = s.Flush(ctx)
		s.mu.Lock()
		s.closed = true
		close(s.roomCh)
		s.mu.Unlock()
		s.hub.closeAll()
		if cerr := s.be.close(ctx); err == nil {
			err = cerr
		}
	})
	return err
}

// checkOpen refuses reads after Stop.
func (s *service) checkOpen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return logsvr.ErrClosed
	}
	return nil
}
