package ssh

import (
	"bytes"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/bkjob/bkjob/gse"
)

const (
	readBufSize  = 32 << 10
	maxChunkSize = 64 << 10
	maxTagLen    = 256
	maxTagLine   = 4 << 10
)

// truncatedMarker is appended once when a host's output reaches the cap;
// the built-in agent writes the same text.
func truncatedMarker(limit int64) string {
	return fmt.Sprintf("\n[bkjob: output truncated at %d bytes]\n", limit)
}

// output tracks one host's output: the offset of the next byte, the cap
// and the job_success/job_fail tag.
type output struct {
	limit     int64
	kept      int64 // script bytes passed on
	offset    int64 // bytes passed on, marker included
	truncated bool
	tags      tagScanner
}

// accept applies the cap to p and returns the bytes to pass on.
func (o *output) accept(p []byte) []byte {
	o.tags.feed(p)
	if o.truncated {
		return nil
	}
	room := o.limit - o.kept
	if int64(len(p)) <= room {
		o.kept += int64(len(p))
		o.offset += int64(len(p))
		return p
	}
	out := append(append([]byte(nil), p[:room]...), truncatedMarker(o.limit)...)
	o.kept = o.limit
	o.offset += int64(len(out))
	o.truncated = true
	return out
}

// pump reads r until EOF and passes its bytes to emit as chunks with byte
// offsets, coalescing reads for at most flush. It returns once r is drained.
func (o *output) pump(r io.Reader, flush time.Duration, emit func(gse.OutputChunk)) {
	reads := make(chan []byte, 16)
	go func() {
		defer close(reads)
		buf := make([]byte, readBufSize)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				reads <- append([]byte(nil), buf[:n]...)
			}
			if err != nil {
				return
			}
		}
	}()

	var (
		pending []byte
		start   int64
		timer   = time.NewTimer(flush)
		due     <-chan time.Time
	)
	timer.Stop()
	defer timer.Stop()
	send := func() {
		due = nil
		if len(pending) == 0 {
			return
		}
		emit(gse.OutputChunk{Offset: start, Data: pending})
		pending = nil
	}
	for {
		select {
		case p, ok := <-reads:
			if !ok {
				send()
				o.tags.finish()
				return
			}
			if len(pending) == 0 {
				start = o.offset
			}
			pending = append(pending, o.accept(p)...)
			switch {
			case len(pending) >= maxChunkSize:
				send()
			case due == nil && len(pending) > 0:
				timer.Reset(flush)
				due = timer.C
			}
		case <-due:
			send()
		}
	}
}

// tagScanner finds the last `job_success:[msg]` or `job_fail:[msg]` line
// in a stream; the tag is msg, at most 256 characters (as the agent does).
type tagScanner struct {
	line []byte
	long bool
	tag  string
}

func (s *tagScanner) feed(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		part := p
		if i >= 0 {
			part = p[:i]
		}
		if !s.long && len(s.line)+len(part) <= maxTagLine {
			s.line = append(s.line, part...)
		} else {
			s.long = true
		}
		if i < 0 {
			return
		}
		s.finish()
		p = p[i+1:]
	}
}

// finish ends the current line.
func (s *tagScanner) finish() {
	if !s.long {
		if tag, ok := parseTag(s.line); ok {
			s.tag = tag
		}
	}
	s.line = s.line[:0]
	s.long = false
}

func parseTag(line []byte) (string, bool) {
	line = bytes.TrimSpace(line)
	var rest []byte
	switch {
	case bytes.HasPrefix(line, []byte("job_success:[")):
		rest = line[len("job_success:["):]
	case bytes.HasPrefix(line, []byte("job_fail:[")):
		rest = line[len("job_fail:["):]
	default:
		return "", false
	}
	if !bytes.HasSuffix(rest, []byte("]")) {
		return "", false
	}
	tag := string(rest[:len(rest)-1])
	if utf8.RuneCountInString(tag) > maxTagLen {
		tag = string([]rune(tag)[:maxTagLen])
	}
	return tag, true
}
