package app

import (
	"bytes"
	"io"
	"sync"
)

// lockedWriter serialises writes to w, so the server's logger and the
// built-in agent's output never interleave within a line.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// maxAgentLine cuts a child's line that never ends.
const maxAgentLine = 64 << 10

// lineWriter passes a child process's output to w one whole line per Write.
type lineWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		_, _ = l.w.Write(l.buf[:i+1])
		l.buf = l.buf[i+1:]
	}
	if len(l.buf) > maxAgentLine {
		_, _ = l.w.Write(append(l.buf, '\n'))
		l.buf = nil
	}
	return len(p), nil
}

// flush writes what is left of an unterminated last line.
func (l *lineWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		_, _ = l.w.Write(append(l.buf, '\n'))
		l.buf = nil
	}
}
