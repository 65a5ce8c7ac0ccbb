package logsvrimpl

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/stretchr/testify/require"
)

var testDay = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func testRef(step int64) logsvr.StepRef {
	return logsvr.StepRef{JobInstanceID: 1, StepInstanceID: step, JobCreated: testDay}
}

func testChunk(step, host, off int64, data string) logsvr.ScriptChunk {
	return logsvr.ScriptChunk{HostKey: logsvr.HostKey{StepRef: testRef(step), HostID: host}, Offset: off, Data: []byte(data)}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newEmbeddedService opens a service over dir whose flushes happen only
// when asked (or at 1 MB).
func newEmbeddedService(t *testing.T, dir string, tune tuning) *service {
	t.Helper()
	be, err := newEmbedded(dir, discard())
	require.NoError(t, err)
	if tune.capBytes == 0 {
		tune.capBytes = 1 << 30
	}
	if tune.flushInterval == 0 {
		tune.flushInterval = time.Hour
	}
	s := newService(be, tune, discard())
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s
}

func readAll(t *testing.T, s logsvr.Service, step, host int64) logsvr.ScriptLog {
	t.Helper()
	l, err := s.ReadScript(context.Background(), logsvr.HostKey{StepRef: testRef(step), HostID: host}, 0, 0)
	require.NoError(t, err)
	return l
}

// countRecords scans a segment file and counts records by kind.
func countRecords(t *testing.T, path string) map[uint8]int {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	n := map[uint8]int{}
	_, err = scanSegment(f, func(r record, _ int64) error { n[r.kind]++; return nil })
	require.NoError(t, err)
	return n
}

func TestEmbeddedFlushWritesOneRecordPerHost(t *testing.T) {
	dir := t.TempDir()
	s := newEmbeddedService(t, dir, tuning{})
	ctx := context.Background()
	const hosts, lines = 100, 50
	for i := 0; i < lines; i++ {
		for h := int64(1); h <= hosts; h++ {
			line := "a line of output\n"
			require.NoError(t, s.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, h, int64(i*len(line)), line)}))
		}
	}
	require.NoError(t, s.Flush(ctx))
	recs := countRecords(t, filepath.Join(dir, "2025_01_02", "1.seg"))
	require.Equal(t, hosts, recs[recData], "a flush stores one run per host, not one record per chunk")
	require.Equal(t, strings.Repeat("a line of output\n", lines), string(readAll(t, s, 1, 7).Content))
}

func TestEmbeddedTornTailIsDropped(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"half a header", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.Write([]byte{0x0c, 0xb1, 1, 0, 9, 9})
			require.NoError(t, err)
			require.NoError(t, f.Close())
		}},
		{"flipped byte in the last record", func(t *testing.T, path string) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			data[len(data)-1] ^= 0xff
			require.NoError(t, os.WriteFile(path, data, 0o640))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx := context.Background()
			s := newEmbeddedService(t, dir, tuning{})
			require.NoError(t, s.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 1, 0, "first\n")}))
			require.NoError(t, s.Flush(ctx))
			require.NoError(t, s.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 1, 6, "second\n")}))
			require.NoError(t, s.Stop(ctx))
			path := filepath.Join(dir, "2025_01_02", "1.seg")
			tc.damage(t, path)

			s = newEmbeddedService(t, dir, tuning{})
			l := readAll(t, s, 1, 1)
			require.True(t, strings.HasPrefix("first\nsecond\n", string(l.Content)), "got %q", l.Content)
			// the engine re-sends from the stored end; the offsets dedupe
			require.NoError(t, s.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 1, l.End, "first\nsecond\nthird\n"[l.End:])}))
			require.Equal(t, "first\nsecond\nthird\n", string(readAll(t, s, 1, 1).Content))
			require.NoError(t, s.Stop(ctx))
			f, err := os.Open(path)
			require.NoError(t, err)
			defer f.Close()
			_, err = scanSegment(f, func(record, int64) error { return nil })
			require.NoError(t, err, "the segment is clean again")
		})
	}
}

// flakyBackend fails script writes while failing is set.
type flakyBackend struct {
	backend
	failing atomic.Bool
}

func (f *flakyBackend) appendScript(ctx context.Context, p []piece) ([]piece, error) {
	if f.failing.Load() {
		return nil, errors.New("disk unavailable")
	}
	return f.backend.appendScript(ctx, p)
}

func TestBackPressureAndRetryAfterFailedFlush(t *testing.T) {
	be, err := newEmbedded(t.TempDir(), discard())
	require.NoError(t, err)
	flaky := &flakyBackend{backend: be}
	flaky.failing.Store(true)
	s := newService(flaky, tuning{capBytes: 1 << 30, flushInterval: 10 * time.Millisecond, maxPending: 64}, discard())
	t.Cleanup(func() { _ = s.Stop(context.Background()) })

	ctx := context.Background()
	require.NoError(t, s.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 1, 0, strings.Repeat("x", 60))}))
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	err = s.WriteScript(short, []logsvr.ScriptChunk{testChunk(1, 1, 60, strings.Repeat("y", 60))})
	require.ErrorIs(t, err, logsvr.ErrOverloaded, "a writer waits while too much is unflushed, then gives up")
	require.Error(t, s.Flush(ctx))

	flaky.failing.Store(false)
	require.NoError(t, s.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 1, 60, strings.Repeat("y", 60))}))
	require.Equal(t, strings.Repeat("x", 60)+strings.Repeat("y", 60), string(readAll(t, s, 1, 1).Content))
}

func TestStoppedStoreRefusesWritesAndReads(t *testing.T) {
	dir := t.TempDir()
	s := newEmbeddedService(t, dir, tuning{})
	ctx := context.Background()
	require.NoError(t, s.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 1, 0, "kept\n")}))
	require.NoError(t, s.Stop(ctx))
	require.ErrorIs(t, s.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 1, 5, "lost?\n")}), logsvr.ErrClosed)
	_, err := s.ReadScript(ctx, logsvr.HostKey{StepRef: testRef(1), HostID: 1}, 0, 0)
	require.ErrorIs(t, err, logsvr.ErrClosed)
	require.NoError(t, s.Stop(ctx), "a second Stop is harmless")
	require.Equal(t, "kept\n", string(readAll(t, newEmbeddedService(t, dir, tuning{}), 1, 1).Content))
}

// crash abandons s as a killed process would: no final flush, files left as
// they are.
func crash(s *service) {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stopOnce.Do(func() { close(s.stop); s.wg.Wait() })
}

func TestEmbeddedCrashLosesOnlyUnflushedAndResendDedupes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	be, err := newEmbedded(dir, discard())
	require.NoError(t, err)
	a := newService(be, tuning{capBytes: 1 << 30, flushInterval: time.Hour}, discard())
	require.NoError(t, a.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 1, 0, "durable\n"), testChunk(1, 2, 0, "other\n")}))
	require.NoError(t, a.Flush(ctx))
	require.NoError(t, a.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 1, 8, "in memory\n")}))
	crash(a)

	b := newEmbeddedService(t, dir, tuning{})
	l := readAll(t, b, 1, 1)
	require.Equal(t, "durable\n", string(l.Content))
	require.Equal(t, int64(8), l.End)
	// the engine re-sends the host's output from an offset it had before the crash
	require.NoError(t, b.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 1, 0, "durable\nin memory\n"), testChunk(1, 2, 0, "other\n")}))
	require.Equal(t, "durable\nin memory\n", string(readAll(t, b, 1, 1).Content))
	require.Equal(t, "other\n", string(readAll(t, b, 1, 2).Content))
}

func TestEvictedStatesReloadBeforeDedupe(t *testing.T) {
	s := newEmbeddedService(t, t.TempDir(), tuning{})
	ctx := context.Background()
	require.NoError(t, s.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 1, 0, "abc"), testChunk(1, 2, 0, "xyz")}))
	require.NoError(t, s.Flush(ctx))
	s.evictIdle(time.Now().Add(time.Hour)) // everything is idle
	s.mu.Lock()
	require.Empty(t, s.states)
	require.Empty(t, s.runs)
	s.mu.Unlock()
	require.NoError(t, s.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 2, 0, "xyz!"), testChunk(1, 3, 0, "new")}))
	require.Equal(t, "abc", string(readAll(t, s, 1, 1).Content))
	require.Equal(t, "xyz!", string(readAll(t, s, 1, 2).Content))
	require.Equal(t, "new", string(readAll(t, s, 1, 3).Content))
}

func TestStartPurgesPastRetention(t *testing.T) {
	dir := t.TempDir()
	s := newEmbeddedService(t, dir, tuning{retentionDays: 30})
	ctx := context.Background()
	old, fresh := testRef(1), testRef(2)
	old.JobCreated = time.Now().AddDate(0, 0, -31)
	fresh.JobCreated = time.Now().AddDate(0, 0, -29)
	require.NoError(t, s.WriteScript(ctx, []logsvr.ScriptChunk{
		{HostKey: logsvr.HostKey{StepRef: old, HostID: 1}, Data: []byte("old")},
		{HostKey: logsvr.HostKey{StepRef: fresh, HostID: 1}, Data: []byte("fresh")},
	}))
	require.NoError(t, s.Flush(ctx))
	require.DirExists(t, filepath.Join(dir, old.Day()))
	require.NoError(t, s.Start(ctx))
	require.Eventually(t, func() bool {
		_, err := os.Stat(filepath.Join(dir, old.Day()))
		return os.IsNotExist(err)
	}, 10*time.Second, 10*time.Millisecond)
	require.DirExists(t, filepath.Join(dir, fresh.Day()))
}
