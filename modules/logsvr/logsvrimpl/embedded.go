package logsvrimpl

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
)

// segmentIdleAfter is how long an untouched segment stays open and indexed.
const segmentIdleAfter = 10 * time.Minute

// embedded is the file backend: one append-only segment file per step
// instance under <root>/<YYYY_MM_DD>/<step>.seg (see doc.go).
type embedded struct {
	root  string
	log   *slog.Logger
	mu    sync.Mutex
	segs  map[segKey]*segment
	swept time.Time
}

type segKey struct {
	day  string
	step int64
}

var _ backend = (*embedded)(nil)

func newEmbedded(root string, log *slog.Logger) (*embedded, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("create log dir %s: %w", root, err)
	}
	return &embedded{root: root, log: log, segs: map[segKey]*segment{}, swept: time.Now()}, nil
}

// segment returns the open segment of the step, opening and scanning it
// when needed, and closes segments idle for a while.
func (b *embedded) segment(ref logsvr.StepRef) (*segment, error) {
	k := segKey{day: ref.Day(), step: ref.StepInstanceID}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if now.Sub(b.swept) > time.Minute {
		b.swept = now
		for sk, s := range b.segs {
			if now.Sub(s.used) > segmentIdleAfter {
				delete(b.segs, sk)
				if err := s.close(); err != nil {
					b.log.Warn("close idle log segment", "path", s.path, "err", err)
				}
			}
		}
	}
	if s := b.segs[k]; s != nil {
		s.used = now
		return s, nil
	}
	path := filepath.Join(b.root, k.day, fmt.Sprintf("%d.seg", k.step))
	s, err := openSegment(path, b.log)
	if err != nil {
		return nil, err
	}
	b.segs[k] = s
	return s, nil
}

func (b *embedded) loadHosts(_ context.Context, ref logsvr.StepRef, hostIDs []int64) (map[int64]hostState, error) {
	s, err := b.segment(ref)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[int64]hostState, len(hostIDs))
	if hostIDs == nil {
		for k, h := range s.hosts {
			if k.exec == ref.ExecuteCount && k.batch == ref.Batch {
				out[k.host] = h.st
			}
		}
		return out, nil
	}
	for _, id := range hostIDs {
		if h := s.hosts[hostKey{exec: ref.ExecuteCount, batch: ref.Batch, host: id}]; h != nil {
			out[id] = h.st
		}
	}
	return out, nil
}

// write is one record to add and the file offset of its data, once written.
type write struct {
	r  record
	at int64
}

// appendScript writes the pieces of each step as one write and one fsync.
func (b *embedded) appendScript(_ context.Context, pieces []piece) ([]piece, error) {
	var conflicts []piece
	for _, group := range groupBySegment(pieces) {
		lost, err := b.appendRecords(group[0].ref, func(s *segment) ([]record, []piece) {
			return s.pieceRecords(group)
		})
		if err != nil {
			return nil, err
		}
		conflicts = append(conflicts, lost...)
	}
	return conflicts, nil
}

func (b *embedded) appendFiles(_ context.Context, logs []logsvr.FileLog) error {
	groups := map[segKey][]logsvr.FileLog{}
	var order []segKey
	for _, f := range logs {
		k := segKey{day: f.Day(), step: f.StepInstanceID}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], f)
	}
	for _, k := range order {
		group := groups[k]
		var recs []record
		for _, f := range group {
			f.Lines = append([]logsvr.TimeLog(nil), f.Lines...)
			data, err := json.Marshal(f)
			if err != nil {
				return fmt.Errorf("encode file log: %w", err)
			}
			recs = append(recs, record{kind: recFile, host: f.HostID, exec: int32(f.ExecuteCount), batch: int32(f.Batch), data: data}) //nolint:gosec // G115: execute counts and batch numbers are small counters
		}
		if _, err := b.appendRecords(group[0].StepRef, func(*segment) ([]record, []piece) { return recs, nil }); err != nil {
			return err
		}
	}
	return nil
}

// appendRecords writes the records that build returns (under the segment's
// writer lock) at the end of the segment, fsyncs, then indexes them.
func (b *embedded) appendRecords(ref logsvr.StepRef, build func(*segment) ([]record, []piece)) ([]piece, error) {
	for {
		s, err := b.segment(ref)
		if err != nil {
			return nil, err
		}
		s.wmu.Lock()
		if s.evicted {
			s.wmu.Unlock()
			continue
		}
		lost, err := s.write(build(s))
		s.wmu.Unlock()
		return lost, err
	}
}

// write appends recs; the caller holds wmu.
func (s *segment) write(recs []record, lost []piece) ([]piece, error) {
	if len(recs) == 0 {
		return lost, nil
	}
	if s.f == nil {
		if err := s.create(); err != nil {
			return nil, err
		}
	}
	var buf []byte
	writes := make([]write, 0, len(recs))
	for _, r := range recs {
		at := s.size + int64(len(buf)) + recHeaderSize
		buf = appendRecord(buf, r)
		writes = append(writes, write{r: r, at: at})
	}
	if _, err := s.f.WriteAt(buf, s.size); err != nil {
		_ = s.f.Truncate(s.size)
		return nil, fmt.Errorf("write segment %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		_ = s.f.Truncate(s.size)
		return nil, fmt.Errorf("sync segment %s: %w", s.path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range writes {
		if err := s.index(w.r, w.at); err != nil {
			return nil, err
		}
	}
	s.size += int64(len(buf))
	return lost, nil
}

// create makes the segment file and syncs its directory entry.
func (s *segment) create() error {
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create log dir %s: %w", dir, err)
	}
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create segment %s: %w", s.path, err)
	}
	if d, err := os.Open(dir); err == nil { //nolint:gosec // G304: the store's own directory, opened to sync it
		_ = d.Sync()
		_ = d.Close()
	}
	s.f = f
	return nil
}

// pieceRecords turns one step's pieces into records: pieces already stored
// (a retried flush) are skipped, pieces not at the host's end are returned
// as conflicts, a host's display name is recorded once.
func (s *segment) pieceRecords(pieces []piece) ([]record, []piece) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	next := map[hostKey]int64{}
	named := map[hostKey]bool{}
	var recs []record
	var lost []piece
	for _, p := range pieces {
		k := hostKey{exec: p.key.exec, batch: p.key.batch, host: p.key.host}
		h := s.hosts[k]
		end, ok := next[k]
		if !ok && h != nil {
			end = h.st.size
		}
		if p.endPos() <= end {
			continue
		}
		if p.pos != end {
			lost = append(lost, p)
			continue
		}
		if p.host != "" && !named[k] && (h == nil || h.st.host == "") {
			named[k] = true
			recs = append(recs, record{kind: recHost, host: k.host, exec: int32(k.exec), batch: int32(k.batch), data: []byte(p.host)}) //nolint:gosec // G115: execute counts and batch numbers are small counters
		}
		kind := uint8(recData)
		if p.marker {
			kind = recMarker
		}
		recs = append(recs, record{kind: kind, host: k.host, exec: int32(k.exec), batch: int32(k.batch), offset: p.offset, data: p.data}) //nolint:gosec // G115: execute counts and batch numbers are small counters
		next[k] = p.endPos()
	}
	return recs, lost
}

// groupBySegment splits pieces per (day, step), keeping their order.
func groupBySegment(pieces []piece) [][]piece {
	idx := map[segKey]int{}
	var out [][]piece
	for _, p := range pieces {
		k := segKey{day: p.ref.Day(), step: p.key.step}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], p)
	}
	return out
}

func (b *embedded) readRange(_ context.Context, ref logsvr.StepRef, hostID, from, limit int64) ([]byte, error) {
	s, err := b.segment(ref)
	if err != nil {
		return nil, err
	}
	return s.readRange(hostKey{exec: ref.ExecuteCount, batch: ref.Batch, host: hostID}, from, limit)
}

func (b *embedded) listHosts(_ context.Context, ref logsvr.StepRef) ([]logsvr.HostLog, error) {
	s, err := b.segment(ref)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []logsvr.HostLog
	for k, h := range s.hosts {
		if k.exec != ref.ExecuteCount || (ref.Batch != logsvr.AnyBatch && k.batch != ref.Batch) || h.st.size == 0 {
			continue
		}
		out = append(out, logsvr.HostLog{HostID: k.host, Host: h.st.host, Batch: k.batch, Size: h.st.size, End: h.st.end, Truncated: h.st.truncated})
	}
	return out, nil
}

func (b *embedded) readFiles(_ context.Context, ref logsvr.StepRef, hostIDs []int64, mode int) ([]logsvr.FileLog, error) {
	s, err := b.segment(ref)
	if err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, id := range hostIDs {
		want[id] = true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []logsvr.FileLog
	for _, f := range s.files {
		if f.ExecuteCount != ref.ExecuteCount || (ref.Batch != logsvr.AnyBatch && f.Batch != ref.Batch) ||
			(mode != logsvr.ModeAll && f.Mode != mode) || (len(want) > 0 && !want[f.HostID]) {
			continue
		}
		c := *f
		c.Lines = append([]logsvr.TimeLog(nil), f.Lines...)
		out = append(out, c)
	}
	return out, nil
}

// purge removes the day directories before day.
func (b *embedded) purge(_ context.Context, day string) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, s := range b.segs {
		if k.day < day {
			delete(b.segs, k)
			_ = s.close()
		}
	}
	entries, err := os.ReadDir(b.root)
	if err != nil {
		return 0, fmt.Errorf("list log dir %s: %w", b.root, err)
	}
	var old []string
	for _, e := range entries {
		if _, perr := time.Parse("2006_01_02", e.Name()); e.IsDir() && perr == nil && e.Name() < day {
			old = append(old, e.Name())
		}
	}
	sort.Strings(old)
	for i, name := range old {
		if err := os.RemoveAll(filepath.Join(b.root, name)); err != nil {
			return i, fmt.Errorf("remove log day %s: %w", name, err)
		}
	}
	return len(old), nil
}

func (b *embedded) close(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var first error
	for k, s := range b.segs {
		delete(b.segs, k)
		if err := s.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
