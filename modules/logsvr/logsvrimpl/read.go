package logsvrimpl

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/text"
)

// searchWindow is how much of a host log a search reads at a time.
const searchWindow = 1 << 20

// ReadScript reads a host's log from offset.
func (s *service) ReadScript(ctx context.Context, key logsvr.HostKey, offset int64, limit int) (logsvr.ScriptLog, error) {
	if err := key.Validate(); err != nil {
		return logsvr.ScriptLog{}, err
	}
	if offset < 0 {
		return logsvr.ScriptLog{}, logsvr.ErrInvalidKey.Withf("offset must not be negative, got %d", offset).OnField("offset")
	}
	if err := s.checkOpen(); err != nil {
		return logsvr.ScriptLog{}, err
	}
	if err := s.flushIfDirty(ctx, key.StepInstanceID); err != nil {
		return logsvr.ScriptLog{}, err
	}
	got, err := s.be.loadHosts(ctx, key.StepRef, []int64{key.HostID})
	if err != nil {
		return logsvr.ScriptLog{}, fmt.Errorf("load log state of host %d: %w", key.HostID, err)
	}
	return s.readHost(ctx, key.StepRef, key.HostID, got[key.HostID], offset, int64(limit))
}

func (s *service) readHost(ctx context.Context, ref logsvr.StepRef, hostID int64, st hostState, offset, limit int64) (logsvr.ScriptLog, error) {
	out := logsvr.ScriptLog{
		HostID: hostID, Host: st.host, Batch: ref.Batch, Offset: offset, Next: offset,
		Size: st.size, End: st.end, Truncated: st.truncated, Content: []byte{},
	}
	if offset >= st.size {
		return out, nil
	}
	n := st.size - offset
	cut := limit > 0 && limit < n
	if cut {
		n = limit
	}
	data, err := s.be.readRange(ctx, ref, hostID, offset, n)
	if err != nil {
		return logsvr.ScriptLog{}, fmt.Errorf("read log of host %d: %w", hostID, err)
	}
	if cut {
		// A page never ends inside a character: the next read starts with it.
		if keep := text.RuneBoundary(data); keep > 0 {
			data = data[:keep]
		}
	}
	out.Content = data
	out.Next = offset + int64(len(data))
	return out, nil
}

// ReadHosts reads the whole logs of up to MaxBatchHosts hosts.
func (s *service) ReadHosts(ctx context.Context, step logsvr.StepRef, hostIDs []int64) ([]logsvr.ScriptLog, error) {
	if err := step.Validate(); err != nil {
		return nil, err
	}
	if err := logsvr.ValidateHostIDs(hostIDs); err != nil {
		return nil, err
	}
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if err := s.flushIfDirty(ctx, step.StepInstanceID); err != nil {
		return nil, err
	}
	hosts, err := s.be.listHosts(ctx, step)
	if err != nil {
		return nil, fmt.Errorf("list hosts of step %d: %w", step.StepInstanceID, err)
	}
	byID := make(map[int64]logsvr.HostLog, len(hosts))
	for _, h := range hosts {
		if _, seen := byID[h.HostID]; !seen {
			byID[h.HostID] = h
		}
	}
	out := make([]logsvr.ScriptLog, 0, len(hostIDs))
	for _, id := range hostIDs {
		h, ok := byID[id]
		if !ok {
			out = append(out, logsvr.ScriptLog{HostID: id, Batch: max(step.Batch, 0), Content: []byte{}})
			continue
		}
		ref := step
		ref.Batch = h.Batch
		l, err := s.readHost(ctx, ref, id, hostState{host: h.Host, size: h.Size, end: h.End, truncated: h.Truncated}, 0, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// ListHosts lists the hosts with a script log in the step run.
func (s *service) ListHosts(ctx context.Context, step logsvr.StepRef) ([]logsvr.HostLog, error) {
	if err := step.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if err := s.flushIfDirty(ctx, step.StepInstanceID); err != nil {
		return nil, err
	}
	hosts, err := s.be.listHosts(ctx, step)
	if err != nil {
		return nil, fmt.Errorf("list hosts of step %d: %w", step.StepInstanceID, err)
	}
	sort.Slice(hosts, func(i, j int) bool {
		if hosts[i].HostID != hosts[j].HostID {
			return hosts[i].HostID < hosts[j].HostID
		}
		return hosts[i].Batch < hosts[j].Batch
	})
	return hosts, nil
}

// SearchHosts returns the hosts whose log contains keyword. It reads each
// log in windows that overlap by len(keyword)-1 bytes, so a match across
// two stored pieces is found.
func (s *service) SearchHosts(ctx context.Context, step logsvr.StepRef, keyword string) ([]int64, error) {
	if keyword == "" {
		return nil, logsvr.ErrInvalidKey.Withf("keyword must not be empty").OnField("keyword")
	}
	hosts, err := s.ListHosts(ctx, step)
	if err != nil {
		return nil, err
	}
	kw := []byte(keyword)
	var out []int64
	for _, h := range hosts {
		if len(out) > 0 && out[len(out)-1] == h.HostID {
			continue
		}
		ref := step
		ref.Batch = h.Batch
		found, err := s.hostContains(ctx, ref, h, kw)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, h.HostID)
		}
	}
	return out, nil
}

func (s *service) hostContains(ctx context.Context, ref logsvr.StepRef, h logsvr.HostLog, kw []byte) (bool, error) {
	var tail []byte
	for off := int64(0); off < h.Size; {
		data, err := s.be.readRange(ctx, ref, h.HostID, off, min(int64(searchWindow), h.Size-off))
		if err != nil {
			return false, fmt.Errorf("search log of host %d: %w", h.HostID, err)
		}
		if len(data) == 0 {
			return false, nil
		}
		buf := append(tail, data...)
		if bytes.Contains(buf, kw) {
			return true, nil
		}
		keep := min(len(kw)-1, len(buf))
		tail = append([]byte(nil), buf[len(buf)-keep:]...)
		off += int64(len(data))
	}
	return false, nil
}

// ReadFileLogs returns file logs of the step run.
func (s *service) ReadFileLogs(ctx context.Context, step logsvr.StepRef, hostIDs []int64, mode int) ([]logsvr.FileLog, error) {
	if err := step.Validate(); err != nil {
		return nil, err
	}
	if err := logsvr.ValidateMode(mode); err != nil {
		return nil, err
	}
	if len(hostIDs) > 0 {
		if err := logsvr.ValidateHostIDs(hostIDs); err != nil {
			return nil, err
		}
	}
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if err := s.flushIfDirty(ctx, step.StepInstanceID); err != nil {
		return nil, err
	}
	logs, err := s.be.readFiles(ctx, step, hostIDs, mode)
	if err != nil {
		return nil, fmt.Errorf("read file logs of step %d: %w", step.StepInstanceID, err)
	}
	sortFileLogs(logs)
	return logs, nil
}

// ExportStep writes a zip of the step's host logs.
func (s *service) ExportStep(ctx context.Context, step logsvr.StepRef, w io.Writer) error {
	return logsvr.WriteZip(ctx, s, step, w)
}

// Watch subscribes to the chunks stored for the step run.
func (s *service) Watch(ctx context.Context, step logsvr.StepRef, hostID int64) (<-chan logsvr.ScriptChunk, error) {
	if err := step.Validate(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, logsvr.ErrClosed
	}
	return s.hub.watch(ctx, step, hostID), nil
}

// Purge drops the day partitions of jobs created before olderThan's day.
func (s *service) Purge(ctx context.Context, olderThan time.Time) (int, error) {
	if err := s.Flush(ctx); err != nil {
		return 0, err
	}
	day := olderThan.UTC().Format("2006_01_02")
	n, err := s.be.purge(ctx, day)
	if err != nil {
		return n, fmt.Errorf("purge logs before %s: %w", olderThan.UTC().Format(time.DateOnly), err)
	}
	s.mu.Lock()
	for run, runDay := range s.runs { // purged hosts must not keep their old offsets
		if runDay < day {
			s.forgetRunLocked(run)
		}
	}
	for k, st := range s.states {
		if st.day < day {
			delete(s.states, k)
		}
	}
	s.mu.Unlock()
	return n, nil
}

// sortFileLogs orders entries by host, mode, source host, source and
// destination path.
func sortFileLogs(logs []logsvr.FileLog) {
	sort.SliceStable(logs, func(i, j int) bool {
		a, b := logs[i], logs[j]
		switch {
		case a.HostID != b.HostID:
			return a.HostID < b.HostID
		case a.Mode != b.Mode:
			return a.Mode < b.Mode
		case a.SrcHostID != b.SrcHostID:
			return a.SrcHostID < b.SrcHostID
		case a.SrcPath != b.SrcPath:
			return a.SrcPath < b.SrcPath
		}
		return a.DestPath < b.DestPath
	})
}
