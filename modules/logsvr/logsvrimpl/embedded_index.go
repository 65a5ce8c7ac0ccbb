package logsvrimpl

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
)

// segment is one step's segment file and its in-memory index, rebuilt by a
// scan when the step is first touched after start or eviction.
type segment struct {
	wmu     sync.Mutex   // one writer; held to close
	evicted bool         // closed by eviction or purge: writers get a fresh segment
	mu      sync.RWMutex // guards the index below
	path    string
	f       *os.File // nil until the file exists
	size    int64    // bytes of good records
	hosts   map[hostKey]*hostIndex
	files   map[string]*logsvr.FileLog
	used    time.Time
}

// hostIndex locates a host's stored bytes: extents sorted by position.
type hostIndex struct {
	st  hostState
	ext []extent
}

type extent struct {
	pos, at, n int64 // log position, file offset, length
}

// openSegment opens and scans the segment at path; a missing file gives an
// empty segment that is created on first write.
func openSegment(path string, log *slog.Logger) (*segment, error) {
	s := &segment{path: path, hosts: map[hostKey]*hostIndex{}, files: map[string]*logsvr.FileLog{}, used: time.Now()}
	f, err := os.OpenFile(path, os.O_RDWR, 0) //nolint:gosec // G304: a segment under the store's own directory
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open segment %s: %w", path, err)
	}
	good, err := scanSegment(f, s.index)
	if errors.Is(err, errTorn) {
		log.Warn("log segment has a torn tail, dropping it", "path", path, "good_bytes", good)
		if terr := f.Truncate(good); terr != nil {
			return nil, errors.Join(fmt.Errorf("truncate torn segment %s: %w", path, terr), f.Close())
		}
	} else if err != nil {
		return nil, errors.Join(fmt.Errorf("scan segment %s: %w", path, err), f.Close())
	}
	s.f, s.size = f, good
	return s, nil
}

// index applies one record to the in-memory index.
func (s *segment) index(r record, at int64) error {
	if r.kind == recFile {
		var fl logsvr.FileLog
		if err := json.Unmarshal(r.data, &fl); err != nil {
			return fmt.Errorf("decode file log record: %w", err)
		}
		s.foldFile(fl)
		return nil
	}
	k := hostKey{step: 0, exec: int(r.exec), batch: int(r.batch), host: r.host}
	h := s.host(k)
	switch r.kind {
	case recHost:
		h.st.host = string(r.data)
	case recData, recMarker:
		n := int64(len(r.data))
		h.ext = append(h.ext, extent{pos: h.st.size, at: at, n: n})
		h.st.size += n
		if r.kind == recMarker {
			h.st.truncated = true
		} else {
			h.st.end = r.offset + n
		}
	}
	return nil
}

// host returns the index of k (step field zero: a segment holds one step).
func (s *segment) host(k hostKey) *hostIndex {
	h := s.hosts[k]
	if h == nil {
		h = &hostIndex{}
		s.hosts[k] = h
	}
	return h
}

// foldFile merges an entry into the file logs: progress fields replaced,
// lines appended.
func (s *segment) foldFile(fl logsvr.FileLog) {
	id := fileID(fl)
	old := s.files[id]
	if old == nil {
		c := fl
		c.Lines = append([]logsvr.TimeLog(nil), fl.Lines...)
		s.files[id] = &c
		return
	}
	lines := append(old.Lines, fl.Lines...)
	*old = fl
	old.Lines = lines
}

// fileID is the identity of a file log entry within a step run.
func fileID(f logsvr.FileLog) string {
	return fmt.Sprintf("%d|%d|%d|%d|%d|%q|%q", f.ExecuteCount, f.Batch, f.Mode, f.HostID, f.SrcHostID, f.SrcPath, f.DestPath)
}

// readRange copies up to limit bytes of a host from position from.
func (s *segment) readRange(k hostKey, from, limit int64) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	h := s.hosts[k]
	if h == nil || from >= h.st.size {
		return []byte{}, nil
	}
	to := min(from+limit, h.st.size)
	out := make([]byte, 0, to-from)
	i := sort.Search(len(h.ext), func(i int) bool { return h.ext[i].pos+h.ext[i].n > from })
	for ; i < len(h.ext) && int64(len(out)) < to-from; i++ {
		e := h.ext[i]
		start := max(from, e.pos)
		end := min(to, e.pos+e.n)
		n := len(out)
		out = out[:n+int(end-start)]
		if _, err := s.f.ReadAt(out[n:], e.at+(start-e.pos)); err != nil {
			return nil, fmt.Errorf("read segment %s: %w", s.path, err)
		}
	}
	return out, nil
}

func (s *segment) close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evicted = true
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}
