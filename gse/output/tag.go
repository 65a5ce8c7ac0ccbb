package output

import (
	"bytes"

	"github.com/bkjob/bkjob/platform/text"
)

const (
	// MaxTagLen bounds the message of a tag, in characters (bk-job's 256).
	MaxTagLen = 256
	// MaxTagLine bounds the line kept while looking for a tag; longer lines
	// are never tags.
	MaxTagLine = 4 << 10
)

// Tags finds the lines "job_success:[msg]" and "job_fail:[msg]" (blanks
// around them allowed) in a stream fed in any pieces; the last one wins and
// its msg, made valid UTF-8 and cut to MaxTagLen characters (text.TruncateChars),
// is the tag.
type Tags struct {
	line []byte
	long bool // the current line outgrew MaxTagLine
	tag  string
}

// Feed scans the next piece of the stream.
func (s *Tags) Feed(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		part := p
		if i >= 0 {
			part = p[:i]
		}
		if !s.long {
			if len(s.line)+len(part) > MaxTagLine {
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

// Tag is the tag of the lines ended so far ("" if none).
func (s *Tags) Tag() string { return s.tag }

// Finish ends the stream, counting an unterminated last line, and returns
// the tag.
func (s *Tags) Finish() string {
	s.endLine()
	return s.tag
}

func (s *Tags) endLine() {
	if !s.long {
		if tag, ok := parseTag(s.line); ok {
			s.tag = tag
		}
	}
	s.line, s.long = s.line[:0], false
}

// parseTag reads one tag line.
func parseTag(line []byte) (string, bool) {
	line = bytes.TrimSpace(line)
	for _, prefix := range []string{"job_success:[", "job_fail:["} {
		if bytes.HasPrefix(line, []byte(prefix)) && bytes.HasSuffix(line, []byte("]")) {
			// The server cuts a tag it stores with the same call.
			return text.TruncateChars(string(line[len(prefix):len(line)-1]), MaxTagLen), true
		}
	}
	return "", false
}
