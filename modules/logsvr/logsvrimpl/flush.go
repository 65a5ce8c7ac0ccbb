package logsvrimpl

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
)

// maxConflictRounds bounds how often one flush re-applies pieces that lost a
// race for a position to another writer.
const maxConflictRounds = 3

// sortChunks returns chunks ordered by host and offset, keeping the order of
// equal offsets, so a batch delivered out of order still dedupes.
func sortChunks(chunks []logsvr.ScriptChunk) []logsvr.ScriptChunk {
	cmp := func(a, b logsvr.ScriptChunk) int {
		ka, kb := keyOf(a.HostKey), keyOf(b.HostKey)
		switch {
		case lessKey(ka, kb):
			return -1
		case lessKey(kb, ka):
			return 1
		case a.Offset < b.Offset:
			return -1
		case a.Offset > b.Offset:
			return 1
		}
		return 0
	}
	if slices.IsSortedFunc(chunks, cmp) {
		return chunks
	}
	out := slices.Clone(chunks)
	slices.SortStableFunc(out, cmp)
	return out
}

// flushLoop flushes every interval, or at once when the buffer passes
// flushBytes, until Stop.
func (s *service) flushLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.opt.flushInterval)
	defer t.Stop()
	evict := time.NewTicker(time.Minute)
	defer evict.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		case <-s.kick:
		case <-evict.C:
			s.evictIdle(time.Now().Add(-stateIdleAfter))
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := s.Flush(ctx); err != nil {
			s.log.Warn("log flush failed, will retry", "err", err)
		}
		cancel()
	}
}

// Flush writes everything buffered so far to the backend.
func (s *service) Flush(ctx context.Context) error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return logsvr.ErrClosed
	}
	pieces, files, seq := s.pending, s.files, s.seq
	s.pending, s.files = nil, nil
	s.mu.Unlock()

	err := s.writeBatch(ctx, pieces, files)

	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil { // keep the batch in front of what arrived meanwhile
		s.pending = append(pieces, s.pending...)
		s.files = append(files, s.files...)
		return err
	}
	s.bytes = 0
	for _, p := range s.pending {
		s.bytes += len(p.data)
	}
	for _, f := range s.files {
		s.bytes += 256 + len(f.Lines)*64
	}
	for step, last := range s.dirty {
		if last <= seq {
			delete(s.dirty, step)
		}
	}
	close(s.roomCh)
	s.roomCh = make(chan struct{})
	return nil
}

// writeBatch stores one batch. Pieces that lost their position to another
// writer are re-applied against the reloaded state of their host.
func (s *service) writeBatch(ctx context.Context, pieces []piece, files []logsvr.FileLog) error {
	if err := s.writePieces(ctx, pieces); err != nil {
		return err
	}
	if len(files) > 0 { // after the pieces: a retry re-sends pieces, which dedupe by position
		if err := s.be.appendFiles(ctx, files); err != nil {
			return fmt.Errorf("store %d file logs: %w", len(files), err)
		}
	}
	return nil
}

func (s *service) writePieces(ctx context.Context, pieces []piece) error {
	for round := 0; len(pieces) > 0; round++ {
		pieces = coalesce(pieces)
		conflicts, err := s.be.appendScript(ctx, pieces)
		if err != nil {
			return fmt.Errorf("store %d log pieces: %w", len(pieces), err)
		}
		s.hub.publish(stored(pieces, conflicts))
		if len(conflicts) == 0 {
			return nil
		}
		if round >= maxConflictRounds {
			s.log.Warn("log pieces dropped after repeated position conflicts", "pieces", len(conflicts))
			return nil
		}
		pieces, err = s.reapply(ctx, conflicts)
		if err != nil {
			return err
		}
	}
	return nil
}

// reapply forgets the state of the conflicting hosts, reloads it and turns
// the conflicting data back into pieces (the stored part dedupes away).
func (s *service) reapply(ctx context.Context, conflicts []piece) ([]piece, error) {
	var chunks []logsvr.ScriptChunk
	s.mu.Lock()
	for _, p := range conflicts {
		if _, loaded := s.runs[runOf(p.key)]; loaded {
			s.forgetRunLocked(runOf(p.key))
		}
	}
	s.mu.Unlock()
	for _, p := range conflicts {
		if p.marker {
			continue // re-created by the cap if still needed
		}
		ref := p.ref
		ref.Batch = p.key.batch
		chunks = append(chunks, logsvr.ScriptChunk{
			HostKey: logsvr.HostKey{StepRef: ref, HostID: p.key.host},
			Host:    p.host, Offset: p.offset, Data: p.data,
		})
	}
	return s.applyChunks(ctx, chunks, false)
}

// stored returns the pieces that are not in conflicts.
func stored(pieces, conflicts []piece) []piece {
	if len(conflicts) == 0 {
		return pieces
	}
	type at struct {
		k   hostKey
		pos int64
	}
	lost := make(map[at]bool, len(conflicts))
	for _, c := range conflicts {
		lost[at{c.key, c.pos}] = true
	}
	out := make([]piece, 0, len(pieces))
	for _, p := range pieces {
		if !lost[at{p.key, p.pos}] {
			out = append(out, p)
		}
	}
	return out
}

// flushIfDirty flushes when the step has buffered writes, so reads see
// every acknowledged write.
func (s *service) flushIfDirty(ctx context.Context, step int64) error {
	s.mu.Lock()
	_, dirty := s.dirty[step]
	s.mu.Unlock()
	if !dirty {
		return nil
	}
	return s.Flush(ctx)
}

// evictIdle forgets host states of steps without writes since before, so
// the cache does not grow with every step ever run. States reload on demand.
func (s *service) evictIdle(before time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idle := map[int64]bool{}
	for step, t := range s.used {
		if _, dirty := s.dirty[step]; t.Before(before) && !dirty {
			idle[step] = true
			delete(s.used, step)
		}
	}
	for k := range s.states {
		if idle[k.step] {
			delete(s.states, k)
		}
	}
	for run := range s.runs {
		if idle[run.step] {
			delete(s.runs, run)
		}
	}
}
