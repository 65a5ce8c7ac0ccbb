package logsvrtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/text"
)

// Fake is an in-memory logsvr.Store for other modules' tests: no buffering,
// no files, the same observable behaviour as the real stores (it passes Run).
type Fake struct {
	mu       sync.Mutex
	capBytes int64
	hosts    map[fakeKey]*fakeHost
	files    map[string]logsvr.FileLog
	watchers map[int]fakeWatcher
	next     int
}

type fakeKey struct {
	day   string
	step  int64
	exec  int
	batch int
	host  int64
}

type fakeHost struct {
	name      string
	data      []byte
	end       int64
	truncated bool
}

type fakeWatcher struct {
	ref  logsvr.StepRef
	host int64
	ch   chan logsvr.ScriptChunk
}

var _ logsvr.Store = (*Fake)(nil)

// NewFake returns an empty Fake with the given per-host cap.
func NewFake(capBytes int64) *Fake {
	return &Fake{capBytes: capBytes, hosts: map[fakeKey]*fakeHost{}, files: map[string]logsvr.FileLog{}, watchers: map[int]fakeWatcher{}}
}

func fkey(ref logsvr.StepRef, batch int, host int64) fakeKey {
	return fakeKey{day: ref.Day(), step: ref.StepInstanceID, exec: ref.ExecuteCount, batch: batch, host: host}
}

// WriteScript stores chunks at once, deduped by offset and capped.
func (f *Fake) WriteScript(_ context.Context, chunks []logsvr.ScriptChunk) error {
	for _, c := range chunks {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	ordered := append([]logsvr.ScriptChunk(nil), chunks...)
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].Offset < ordered[j].Offset })
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range ordered {
		k := fkey(c.StepRef, c.Batch, c.HostID)
		h := f.hosts[k]
		if h == nil {
			h = &fakeHost{}
			f.hosts[k] = h
		}
		if h.name == "" {
			h.name = c.Host
		}
		data, off := c.Data, c.Offset
		if h.truncated || off+int64(len(data)) <= h.end {
			continue
		}
		if off < h.end {
			data, off = data[h.end-off:], h.end
		}
		pos := int64(len(h.data))
		h.end = off + int64(len(data))
		if room := f.capBytes - pos; int64(len(data)) > room {
			keep := text.RuneBoundary(data[:max(room, 0)])
			data = append(append([]byte(nil), data[:keep]...), logsvr.TruncationMarker(f.capBytes)...)
			h.truncated = true
		}
		h.data = append(h.data, data...)
		f.notify(c, h.name, pos, data)
	}
	return nil
}

func (f *Fake) notify(c logsvr.ScriptChunk, name string, pos int64, data []byte) {
	for _, w := range f.watchers {
		if w.ref.StepInstanceID != c.StepInstanceID || w.ref.ExecuteCount != c.ExecuteCount ||
			(w.ref.Batch != logsvr.AnyBatch && w.ref.Batch != c.Batch) || (w.host != 0 && w.host != c.HostID) {
			continue
		}
		select {
		case w.ch <- logsvr.ScriptChunk{HostKey: c.HostKey, Host: name, Offset: pos, Data: append([]byte(nil), data...)}:
		default:
		}
	}
}

// WriteFile stores file log entries.
func (f *Fake) WriteFile(_ context.Context, logs []logsvr.FileLog) error {
	for _, l := range logs {
		if err := l.Validate(); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range logs {
		id := fmt.Sprintf("%s|%d|%d|%d|%d|%d|%d|%q|%q", l.Day(), l.StepInstanceID, l.ExecuteCount, l.Batch, l.Mode, l.HostID, l.SrcHostID, l.SrcPath, l.DestPath)
		lines := append(append([]logsvr.TimeLog(nil), f.files[id].Lines...), l.Lines...)
		l.Lines = lines
		f.files[id] = l
	}
	return nil
}

// Flush does nothing: the Fake stores at once.
func (f *Fake) Flush(context.Context) error { return nil }

// ReadScript reads a host's log from offset.
func (f *Fake) ReadScript(_ context.Context, key logsvr.HostKey, offset int64, limit int) (logsvr.ScriptLog, error) {
	if err := key.Validate(); err != nil {
		return logsvr.ScriptLog{}, err
	}
	if offset < 0 {
		return logsvr.ScriptLog{}, logsvr.ErrInvalidKey.Withf("offset must not be negative, got %d", offset).OnField("offset")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.read(key.StepRef, key.Batch, key.HostID, offset, limit), nil
}

func (f *Fake) read(ref logsvr.StepRef, batch int, host, offset int64, limit int) logsvr.ScriptLog {
	out := logsvr.ScriptLog{HostID: host, Batch: batch, Offset: offset, Next: offset, Content: []byte{}}
	h := f.hosts[fkey(ref, batch, host)]
	if h == nil {
		return out
	}
	out.Host, out.Size, out.End, out.Truncated = h.name, int64(len(h.data)), h.end, h.truncated
	if offset >= out.Size {
		return out
	}
	end := out.Size
	if limit > 0 && offset+int64(limit) < end {
		end = offset + int64(limit)
		if keep := text.RuneBoundary(h.data[offset:end]); keep > 0 {
			end = offset + int64(keep)
		}
	}
	out.Content = append([]byte(nil), h.data[offset:end]...)
	out.Next = end
	return out
}

// ReadHosts reads whole logs of up to MaxBatchHosts hosts.
func (f *Fake) ReadHosts(ctx context.Context, step logsvr.StepRef, hostIDs []int64) ([]logsvr.ScriptLog, error) {
	if err := logsvr.ValidateHostIDs(hostIDs); err != nil {
		return nil, err
	}
	hosts, err := f.ListHosts(ctx, step)
	if err != nil {
		return nil, err
	}
	batchOf := map[int64]int{}
	for _, h := range hosts {
		if _, ok := batchOf[h.HostID]; !ok {
			batchOf[h.HostID] = h.Batch
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]logsvr.ScriptLog, 0, len(hostIDs))
	for _, id := range hostIDs {
		b, ok := batchOf[id]
		if !ok {
			b = max(step.Batch, 0)
		}
		out = append(out, f.read(step, b, id, 0, 0))
	}
	return out, nil
}

// ListHosts lists hosts with a log, by host id then batch.
func (f *Fake) ListHosts(_ context.Context, step logsvr.StepRef) ([]logsvr.HostLog, error) {
	if err := step.Validate(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []logsvr.HostLog
	for k, h := range f.hosts {
		if k.day != step.Day() || k.step != step.StepInstanceID || k.exec != step.ExecuteCount ||
			(step.Batch != logsvr.AnyBatch && k.batch != step.Batch) || len(h.data) == 0 {
			continue
		}
		out = append(out, logsvr.HostLog{HostID: k.host, Host: h.name, Batch: k.batch, Size: int64(len(h.data)), End: h.end, Truncated: h.truncated})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].HostID != out[j].HostID {
			return out[i].HostID < out[j].HostID
		}
		return out[i].Batch < out[j].Batch
	})
	return out, nil
}

// SearchHosts returns hosts whose log contains keyword.
func (f *Fake) SearchHosts(ctx context.Context, step logsvr.StepRef, keyword string) ([]int64, error) {
	if keyword == "" {
		return nil, logsvr.ErrInvalidKey.Withf("keyword must not be empty").OnField("keyword")
	}
	hosts, err := f.ListHosts(ctx, step)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int64
	for _, h := range hosts {
		if (len(out) == 0 || out[len(out)-1] != h.HostID) && bytes.Contains(f.hosts[fkey(step, h.Batch, h.HostID)].data, []byte(keyword)) {
			out = append(out, h.HostID)
		}
	}
	return out, nil
}

// ReadFileLogs returns file logs of the step run.
func (f *Fake) ReadFileLogs(_ context.Context, step logsvr.StepRef, hostIDs []int64, mode int) ([]logsvr.FileLog, error) {
	if err := step.Validate(); err != nil {
		return nil, err
	}
	if err := logsvr.ValidateMode(mode); err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, id := range hostIDs {
		want[id] = true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []logsvr.FileLog
	for _, l := range f.files {
		if l.Day() != step.Day() || l.StepInstanceID != step.StepInstanceID || l.ExecuteCount != step.ExecuteCount ||
			(step.Batch != logsvr.AnyBatch && l.Batch != step.Batch) || (mode != logsvr.ModeAll && l.Mode != mode) ||
			(len(want) > 0 && !want[l.HostID]) {
			continue
		}
		l.Lines = append([]logsvr.TimeLog(nil), l.Lines...)
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.HostID != b.HostID {
			return a.HostID < b.HostID
		}
		if a.Mode != b.Mode {
			return a.Mode < b.Mode
		}
		if a.SrcHostID != b.SrcHostID {
			return a.SrcHostID < b.SrcHostID
		}
		if a.SrcPath != b.SrcPath {
			return a.SrcPath < b.SrcPath
		}
		return a.DestPath < b.DestPath
	})
	return out, nil
}

// ExportStep writes the zip of the step's logs.
func (f *Fake) ExportStep(ctx context.Context, step logsvr.StepRef, w io.Writer) error {
	return logsvr.WriteZip(ctx, f, step, w)
}

// Watch delivers chunks as they are written, until ctx ends.
func (f *Fake) Watch(ctx context.Context, step logsvr.StepRef, hostID int64) (<-chan logsvr.ScriptChunk, error) {
	if err := step.Validate(); err != nil {
		return nil, err
	}
	ch := make(chan logsvr.ScriptChunk, 256)
	f.mu.Lock()
	id := f.next
	f.next++
	f.watchers[id] = fakeWatcher{ref: step, host: hostID, ch: ch}
	f.mu.Unlock()
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		delete(f.watchers, id)
		close(ch)
		f.mu.Unlock()
	}()
	return ch, nil
}

// Purge drops logs of jobs created before olderThan's day.
func (f *Fake) Purge(_ context.Context, olderThan time.Time) (int, error) {
	day := olderThan.UTC().Format("2006_01_02")
	f.mu.Lock()
	defer f.mu.Unlock()
	days := map[string]bool{}
	for k := range f.hosts {
		if k.day < day {
			days[k.day] = true
			delete(f.hosts, k)
		}
	}
	for id, l := range f.files {
		if l.Day() < day {
			days[l.Day()] = true
			delete(f.files, id)
		}
	}
	return len(days), nil
}

// Start does nothing.
func (f *Fake) Start(context.Context) error { return nil }

// Stop does nothing: a stopped Fake keeps its logs, so reopening it (see
// FakeStorage) finds them.
func (f *Fake) Stop(context.Context) error { return nil }

// FakeStorage is a NewStorage over one Fake per test, for Run.
func FakeStorage(*testing.T) Opener {
	var fake *Fake
	return func(capBytes int64) logsvr.Service {
		if fake == nil {
			fake = NewFake(capBytes)
		}
		return fake
	}
}
