package agent

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	// maxTagLen bounds the message of a job_success/job_fail tag, in characters.
	maxTagLen = 256
	// maxTagLine bounds the line kept while looking for a tag.
	maxTagLine = 4 << 10
)

// TruncatedMarker is appended once to output that reached limit bytes.
func TruncatedMarker(limit int64) string {
	return fmt.Sprintf("\n[bkjob: output truncated at %d bytes]\n", limit)
}

// outputWriter is the script's combined stdout/stderr: it caps what is
// spooled, appending the truncation marker once, and watches for tag lines.
type outputWriter struct {
	limit     int64
	kept      int64
	truncated bool
	err       error // the first spool error; later output is drained unsaved
	write     func([]byte) error
	tags      tagScanner
}

// Write never fails, so the script is never blocked on a full pipe: a spool
// error is kept in err and the rest of the output is drained.
func (o *outputWriter) Write(p []byte) (int, error) {
	o.tags.feed(p)
	if o.truncated || o.err != nil {
		return len(p), nil
	}
	keep := p
	if o.limit > 0 && o.kept+int64(len(p)) > o.limit {
		keep = p[:o.limit-o.kept]
		o.truncated = true
	}
	if len(keep) > 0 {
		if o.err = o.write(keep); o.err != nil {
			return len(p), nil
		}
		o.kept += int64(len(keep))
	}
	if o.truncated {
		o.err = o.write([]byte(TruncatedMarker(o.limit)))
	}
	return len(p), nil
}

// tagScanner finds lines "job_success:[msg]" and "job_fail:[msg]"; the last
// one wins.
type tagScanner struct {
	line []byte
	long bool // the current line outgrew maxTagLine
	tag  string
}

func (s *tagScanner) feed(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		part := p
		if i >= 0 {
			part = p[:i]
		}
		if !s.long {
			if len(s.line)+len(part) > maxTagLine {
				s.long = true
				s.line = s.line[:0]
			} else {
				s.line = append(s.line, part...)
			}
		}
		if i < 0 {
			return
		}
		s.endLine()
		p = p[i+1:]
	}
}

func (s *tagScanner) endLine() {
	if !s.long {
		if tag, ok := parseTag(string(s.line)); ok {
			s.tag = tag
		}
	}
	s.line, s.long = s.line[:0], false
}

// result returns the tag, counting an unterminated last line.
func (s *tagScanner) result() string {
	if len(s.line) > 0 || s.long {
		s.endLine()
	}
	return s.tag
}

// parseTag reads a tag line, surrounding blanks allowed.
func parseTag(line string) (string, bool) {
	line = strings.TrimSpace(line)
	for _, prefix := range []string{"job_success:[", "job_fail:["} {
		if strings.HasPrefix(line, prefix) && strings.HasSuffix(line, "]") {
			msg := line[len(prefix) : len(line)-1]
			if utf8.RuneCountInString(msg) > maxTagLen {
				msg = string([]rune(msg)[:maxTagLen])
			}
			return msg, true
		}
	}
	return "", false
}
