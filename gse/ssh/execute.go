package ssh

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bkjob/bkjob/gse"
)

// execute runs the built command in an exec session, streams its output
// and, when ctx ends first, kills the remote process group.
func (t *Transport) execute(ctx context.Context, c *conn, taskID string, hostID int64, cmd string, start time.Time) gse.HostResult {
	s, release, err := c.session(ctx, c.exec)
	if err != nil {
		return failedOrInterrupted(ctx, start, failf(gse.HostStatusAgentError, "%v", err))
	}
	defer release()
	stdout, err := s.StdoutPipe()
	if err != nil {
		return failed(start, failf(gse.HostStatusAgentError, "open stdout: %v", err))
	}
	stderr, err := s.StderrPipe()
	if err != nil {
		return failed(start, failf(gse.HostStatusAgentError, "open stderr: %v", err))
	}
	if err := s.Start(cmd); err != nil {
		return failed(start, failf(gse.HostStatusAgentError, "start script: %v", err))
	}

	ctl := readControl(stderr)
	out := newOutput(t.cfg.MaxOutputBytes)
	// sealed stops late output once the result is out, should a killed
	// session outlive kill's last wait; emitted is the output offset sent.
	var (
		emitMu  sync.Mutex
		sealed  bool
		emitted int64
	)
	waited := make(chan error, 1)
	go func() {
		out.pump(stdout, t.cfg.FlushInterval, func(chunk gse.OutputChunk) {
			emitMu.Lock()
			defer emitMu.Unlock()
			if !sealed {
				t.deliver(gse.Event{Kind: gse.EventOutput, TaskID: taskID, HostID: hostID, Output: &chunk})
				emitted = chunk.Offset + int64(len(chunk.Data))
			}
		})
		<-ctl.done
		waited <- s.Wait()
	}()

	var waitErr error
	select {
	case waitErr = <-waited:
	case <-ctx.Done():
		if t.kill(ctx, c, ctl, waited, func() { _ = s.Close() }) {
			return interrupted(start, context.Cause(ctx), out)
		}
		emitMu.Lock()
		defer emitMu.Unlock()
		sealed = true
		res := interrupted(start, context.Cause(ctx), nil)
		res.Offset = emitted
		return res
	}

	end := time.Now()
	res := gse.HostResult{Start: start, End: end, Offset: out.offset, Tag: out.tags.Tag()}
	code, err := exitCode(waitErr)
	res.ExitCode = code
	switch {
	case ctl.errMsg() != "":
		res.Status, res.ErrorCode, res.ErrorMsg = gse.HostStatusScriptFailed, gse.ErrorCodeOther, ctl.errMsg()
	case err != nil:
		res.Status, res.ErrorCode, res.ErrorMsg = gse.HostStatusAgentError, gse.ErrorCodeOther, err.Error()
	case ctl.pgidNow() == 0 && code != 0:
		res.Status, res.ErrorCode = gse.HostStatusScriptFailed, gse.ErrorCodeOther
		res.ErrorMsg = "script did not start: " + strings.TrimSpace(ctl.extraText())
	case code == 0:
		res.Status, res.ErrorCode = gse.HostStatusSuccess, gse.ErrorCodeFinished
	default:
		res.Status, res.ErrorCode = gse.HostStatusScriptNonZeroExit, gse.ErrorCodeFinished
	}
	return res
}

// kill ends a script whose host context ended: SIGTERM to its process
// group, SIGKILL after KillGrace, and as a last resort closing the
// session. It reports whether the session ended (its output is drained);
// a killed script's exit status is not reported, so waited's error is not
// looked at. The kill runs on after ctx ended, keeping only its values.
func (t *Transport) kill(ctx context.Context, c *conn, ctl *control, waited <-chan error, closeSession func()) bool {
	grace := t.cfg.KillGrace
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.cfg.DialTimeout+2*grace)
	defer cancel()
	var pgid int
	select {
	case pgid = <-ctl.pgid:
	case <-waited: //nolint:errcheck // see the doc comment
		return true
	case <-time.After(grace):
	}
	if pgid > 0 {
		for _, sig := range []string{"TERM", "KILL"} {
			if _, err := t.control(ctx, c, killCommand(sig, pgid)); err != nil {
				t.log.Warn("ssh kill script", "addr", c.key.addr, "pgid", pgid, "signal", sig, "err", err)
			}
			select {
			case <-waited: //nolint:errcheck // see the doc comment
				return true
			case <-time.After(grace):
			}
		}
	}
	closeSession()
	select {
	case <-waited: //nolint:errcheck // see the doc comment
		return true
	case <-time.After(grace):
		t.log.Warn("ssh script session did not end after kill", "addr", c.key.addr, "pgid", pgid)
		return false
	}
}

// control parses the wrapper's stderr: the process group id, a wrapper
// error, and anything else (kept, bounded, for diagnostics).
type control struct {
	pgid chan int // receives the pgid once
	done chan struct{}

	mu    sync.Mutex
	id    int
	err   string
	extra limitedBuffer
}

func readControl(r io.Reader) *control {
	c := &control{pgid: make(chan int, 1), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 4096), 64<<10)
		for sc.Scan() {
			line := sc.Text()
			c.mu.Lock()
			switch {
			case strings.HasPrefix(line, ctlPGID) && c.id == 0:
				if id, err := strconv.Atoi(strings.TrimPrefix(line, ctlPGID)); err == nil && id > 0 {
					c.id = id
					c.pgid <- id
				}
			case strings.HasPrefix(line, ctlError):
				c.err = strings.TrimPrefix(line, ctlError)
			default:
				_, _ = c.extra.Write([]byte(line + "\n"))
			}
			c.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	return c
}

func (c *control) pgidNow() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.id
}

func (c *control) errMsg() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *control) extraText() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.extra.String()
}

// limitedBuffer keeps the first 4 KiB written to it.
type limitedBuffer struct {
	buf bytes.Buffer
}

const limitedBufferSize = 4 << 10

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := limitedBufferSize - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string { return strings.TrimSpace(b.buf.String()) }
