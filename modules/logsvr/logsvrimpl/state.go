package logsvrimpl

import (
	"context"
	"slices"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/text"
)

// hostKey identifies one host's script log; comparable, for maps.
type hostKey struct {
	step  int64
	exec  int
	batch int
	host  int64
}

func keyOf(k logsvr.HostKey) hostKey {
	return hostKey{step: k.StepInstanceID, exec: k.ExecuteCount, batch: k.Batch, host: k.HostID}
}

// hostState is what the writer needs to know about a stored host log.
type hostState struct {
	host      string // display name, "" until known
	size      int64  // stored bytes (positions)
	end       int64  // writer offset after the last stored byte
	truncated bool
	day       string // partition, set by apply
}

// piece is a run of bytes to store at position pos of a host log. Data
// pieces carry the writer offset they start at; a marker piece is the
// truncation marker and has no writer offset.
type piece struct {
	ref    logsvr.StepRef
	key    hostKey
	host   string
	offset int64
	pos    int64
	data   []byte
	marker bool
}

func (p piece) endPos() int64 { return p.pos + int64(len(p.data)) }

// apply trims chunk data against st (dedupe by offset), enforces the cap
// and returns the pieces to store, advancing st. A chunk entirely before
// st.end yields nothing; a chunk after st.end (the writer skipped bytes) is
// stored at the current end.
func apply(st *hostState, c logsvr.ScriptChunk, capBytes int64) []piece {
	st.day = c.Day()
	if c.Host != "" && st.host == "" {
		st.host = c.Host
	}
	if st.truncated {
		return nil
	}
	data, off := c.Data, c.Offset
	if off < st.end {
		skip := st.end - off
		if skip >= int64(len(data)) {
			return nil
		}
		data, off = data[skip:], st.end
	}
	if len(data) == 0 {
		return nil
	}
	k := keyOf(c.HostKey)
	var out []piece
	if room := capBytes - st.size; int64(len(data)) > room {
		if room > 0 {
			// Whole characters only: the marker never follows half of one.
			room = int64(text.RuneBoundary(data[:room]))
			out = append(out, piece{ref: c.StepRef, key: k, host: st.host, offset: off, pos: st.size, data: clone(data[:room])})
			st.size += room
		}
		m := logsvr.TruncationMarker(capBytes)
		out = append(out, piece{ref: c.StepRef, key: k, host: st.host, offset: off + max(room, 0), pos: st.size, data: m, marker: true})
		st.size += int64(len(m))
		st.end = off + int64(len(data))
		st.truncated = true
		return out
	}
	out = append(out, piece{ref: c.StepRef, key: k, host: st.host, offset: off, pos: st.size, data: clone(data)})
	st.size += int64(len(data))
	st.end = off + int64(len(data))
	return out
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// coalesce groups pieces by host (hosts in key order, each host's pieces
// in the order given, which is position order) and merges contiguous data
// pieces, so a flush stores one run per host.
func coalesce(pieces []piece) []piece {
	slot := map[hostKey]int{}
	var runs [][]piece
	var keys []hostKey
	for _, p := range pieces {
		i, ok := slot[p.key]
		if !ok {
			i = len(runs)
			slot[p.key] = i
			runs = append(runs, nil)
			keys = append(keys, p.key)
		}
		run := runs[i]
		if n := len(run); n > 0 {
			last := &run[n-1]
			if !last.marker && !p.marker && last.endPos() == p.pos && last.offset+int64(len(last.data)) == p.offset {
				last.data = append(last.data, p.data...)
				if last.host == "" {
					last.host = p.host
				}
				continue
			}
		}
		p.data = p.data[:len(p.data):len(p.data)] // appends to a merged run never touch p's array
		runs[i] = append(run, p)
	}
	slices.SortFunc(keys, func(a, b hostKey) int {
		if lessKey(a, b) {
			return -1
		}
		if lessKey(b, a) {
			return 1
		}
		return 0
	})
	out := make([]piece, 0, len(pieces))
	for _, k := range keys {
		out = append(out, runs[slot[k]]...)
	}
	return out
}

func lessKey(a, b hostKey) bool {
	if a.step != b.step {
		return a.step < b.step
	}
	if a.exec != b.exec {
		return a.exec < b.exec
	}
	if a.batch != b.batch {
		return a.batch < b.batch
	}
	return a.host < b.host
}

// backend is the private store interface: the embedded segment files or
// MongoDB. The service in front of it dedupes, caps, buffers and notifies.
type backend interface {
	// loadHosts returns the durable state of the given hosts of a step run
	// (exact batch), of every host of it when hostIDs is nil; hosts without
	// a log are absent from the map.
	loadHosts(ctx context.Context, ref logsvr.StepRef, hostIDs []int64) (map[int64]hostState, error)
	// appendScript stores pieces durably. It returns the pieces that found
	// other data at their position (another writer got there first).
	appendScript(ctx context.Context, pieces []piece) (conflicts []piece, err error)
	// appendFiles stores file log entries durably (merge by identity).
	appendFiles(ctx context.Context, logs []logsvr.FileLog) error
	// readRange returns up to limit stored bytes of a host from position from.
	readRange(ctx context.Context, ref logsvr.StepRef, hostID, from int64, limit int64) ([]byte, error)
	// listHosts lists the hosts with a log; ref.Batch may be AnyBatch.
	listHosts(ctx context.Context, ref logsvr.StepRef) ([]logsvr.HostLog, error)
	// readFiles returns file logs; empty hostIDs means all, mode may be ModeAll.
	readFiles(ctx context.Context, ref logsvr.StepRef, hostIDs []int64, mode int) ([]logsvr.FileLog, error)
	// purge drops every day partition before day ("YYYY_MM_DD").
	purge(ctx context.Context, beforeDay string) (int, error)
	close(ctx context.Context) error
}
