package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

const (
	// pullChunk is the size of one read request.
	pullChunk = 256 << 10
	// pullRetries bounds consecutive failed requests for one file.
	pullRetries = 20
	// progressEvery spaces progress reports of one file.
	progressEvery = time.Second
)

// sourceError is a failure reported by the side holding the file.
type sourceError struct {
	code string
	msg  string
}

func (e *sourceError) Error() string { return e.msg }

// puller runs one file task on this (target) host.
type puller struct {
	a    *agent
	t    *task
	job  *wire.FileJob
	acct *account
	ctx  context.Context
	lim  *rate.Limiter
	base string
	fs   targetFS // set by openTarget
}

// runFile pulls every source into the target dir. ok is false when the
// agent is shutting down.
func (a *agent) runFile(t *task, job *wire.FileJob) (gse.HostResult, bool) {
	start := time.Now()
	ctx, cancel := context.WithCancel(a.ctx)
	defer cancel()
	if job.Timeout > 0 {
		var c context.CancelFunc
		ctx, c = context.WithTimeout(ctx, job.Timeout)
		defer c()
	}
	stopped := make(chan struct{})
	go func() {
		select {
		case <-t.stop:
			close(stopped)
			cancel()
		case <-ctx.Done():
		}
	}()
	res := gse.HostResult{Start: start, Status: gse.HostStatusSuccess}
	fail := func(status int, err error) {
		if res.Status == gse.HostStatusSuccess {
			res.Status, res.ErrorCode, res.ErrorMsg = status, gse.ErrorCodeOther, err.Error()
		}
	}
	// refused fails the whole task before any file moves; the reason goes
	// into the host's file log as well as its result.
	refused := func(status int, err error) {
		fail(status, err)
		a.refuseSources(t, job, err)
	}
	acct, err := resolveAccount(job.Account)
	if err != nil {
		refused(gse.HostStatusGSEUserError, err)
	} else if err := wire.ValidateFileJob(job); err != nil {
		refused(gse.HostStatusCopyFileFailed, fmt.Errorf("refused file task: %w", err))
	} else {
		p := &puller{a: a, t: t, job: job, acct: acct, ctx: ctx, lim: wire.NewByteLimiter(job.DownloadLimit)}
		p.base, _ = wire.CleanAbs(job.TargetDir)
		if err := p.openTarget(); err != nil {
			refused(gse.HostStatusCopyFileFailed, err)
		} else {
			defer p.closeTarget()
			now := time.Now()
			for _, src := range job.Sources {
				if status, err := p.pullSource(src, now); err != nil {
					fail(status, err)
				}
			}
		}
	}
	res.End = time.Now()
	select {
	case <-stopped:
		res.Status, res.ErrorCode, res.ErrorMsg = gse.HostStatusTerminateSuccess, gse.ErrorCodeTerminated, "file transfer stopped on request"
		return res, true
	default:
	}
	if a.ctx.Err() != nil {
		return res, false
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		res.Status, res.ErrorCode = gse.HostStatusGSEFileTimeout, gse.ErrorCodeOther
		res.ErrorMsg = fmt.Sprintf("file transfer timed out after %s", job.Timeout)
	}
	return res, true
}

// pullSource copies one source (a file or a directory's files).
func (p *puller) pullSource(src wire.FileSource, now time.Time) (int, error) {
	dir := wire.TransferDir(p.job.Mode, p.base, src, now)
	srcPath := src.Path
	if src.BlobKey != "" {
		srcPath = src.BlobKey
	}
	failed := func(status int, err error) (int, error) {
		p.a.addProgress(p.t, gse.FileProgress{Mode: 1, SrcHostID: src.HostID, SrcPath: srcPath, DestPath: dir,
			Status: gse.FileStatusFailed, Message: err.Error()})
		return status, err
	}
	m, err := p.request(wire.Read{Op: wire.OpList, Source: src})
	if err != nil {
		return failed(statusOf(err), err)
	}
	entries := m.Reply.Entries
	if err := p.mkdirs(dir); err != nil {
		return failed(gse.HostStatusCopyFileFailed, err)
	}
	status, firstErr := gse.HostStatusSuccess, error(nil)
	for _, e := range entries {
		rel := e.Rel
		if src.Name != "" {
			_, rest, found := strings.Cut(rel, "/")
			rel = src.Name
			if found {
				rel += "/" + rest
			}
		}
		if _, err := wire.CleanRel(rel); err != nil {
			return failed(gse.HostStatusCopyFileFailed, fmt.Errorf("source sent %w", err))
		}
		if err := p.pullFile(src, e, filepath.Join(dir, filepath.FromSlash(rel))); err != nil && firstErr == nil {
			status, firstErr = statusOf(err), err
		}
	}
	return status, firstErr
}

// statusOf maps a pull error to a host status.
func statusOf(err error) int {
	var se *sourceError
	if errors.As(err, &se) && se.code == wire.CodeNotFound {
		return gse.HostStatusSourceNotExist
	}
	return gse.HostStatusCopyFileFailed
}

// tempName is the partial file beside dest. It is unique to the task, this
// agent (its stable id and the address it registers under) and the file, so
// several agents writing to one directory (NFS, or agents sharing a machine)
// never share a partial file, and stable across this agent's restarts so a
// retried pull resumes from what it already wrote there.
func (p *puller) tempName(dest string) string {
	return tempName(p.t.id, p.a.id, p.a.opts.CloudID, p.a.opts.IP, dest)
}

func tempName(taskID, agentID string, cloudID int64, ip, dest string) string {
	key := strings.Join([]string{taskID, agentID, strconv.FormatInt(cloudID, 10), ip, dest}, "\x00")
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".bkjob-"+hex.EncodeToString(sum[:8])+".part")
}

// pullFile downloads one file to a temp name, verifies its sha256 and
// renames it into place. A dropped connection resumes at the temp file's
// length; a checksum mismatch restarts the file once from zero.
func (p *puller) pullFile(src wire.FileSource, e wire.Entry, dest string) (err error) {
	prog := gse.FileProgress{Mode: 1, SrcHostID: src.HostID, SrcPath: e.Path, DestPath: dest, Size: e.Size, Status: gse.FileStatusDownloading}
	if src.BlobKey != "" {
		prog.SrcPath = src.BlobKey
	}
	p.a.addProgress(p.t, prog)
	if err := p.mkdirs(filepath.Dir(dest)); err != nil {
		return p.fileFailed(prog, err)
	}
	tmp := p.tempName(dest)
	f, err := p.fs.openTemp(tmp)
	if err != nil {
		return p.fileFailed(prog, err)
	}
	defer func() {
		_ = f.Close()
		if err != nil {
			p.fs.remove(tmp)
		}
	}()
	h := sha256.New()
	off, err := resumeFrom(f, h, e.Size)
	if err != nil {
		return p.fileFailed(prog, err)
	}
	began, startOff, last := time.Now(), off, time.Now()
	for restarted := false; ; restarted = true {
		for off < e.Size {
			n := min(pullChunk, e.Size-off)
			if err := wire.WaitBytes(p.ctx, p.lim, int(n)); err != nil {
				return p.fileFailed(prog, err)
			}
			m, err := p.request(wire.Read{Op: wire.OpRead, Source: src, Path: e.Path, Offset: off, Length: n})
			if err != nil {
				return p.fileFailed(prog, err)
			}
			if len(m.Data) == 0 {
				return p.fileFailed(prog, fmt.Errorf("source %s ended at %d of %d bytes", prog.SrcPath, off, e.Size))
			}
			if _, err := f.Write(m.Data); err != nil {
				return p.fileFailed(prog, fmt.Errorf("write %s: %w", tmp, err))
			}
			h.Write(m.Data)
			off += int64(len(m.Data))
			if time.Since(last) >= progressEvery {
				last = time.Now()
				p.a.addProgress(p.t, progressAt(prog, off, startOff, began))
			}
		}
		if sum := hex.EncodeToString(h.Sum(nil)); sum == e.SHA256 {
			prog.SHA256 = sum
			break
		} else if restarted {
			return p.fileFailed(prog, fmt.Errorf("checksum mismatch for %s: got %s, want %s", prog.SrcPath, sum, e.SHA256))
		}
		if err := f.Truncate(0); err != nil {
			return p.fileFailed(prog, fmt.Errorf("truncate %s: %w", tmp, err))
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return p.fileFailed(prog, fmt.Errorf("rewind %s: %w", tmp, err))
		}
		h.Reset()
		off, startOff, began = 0, 0, time.Now()
	}
	if err := p.finishFile(f, tmp, dest, os.FileMode(e.Mode&0o777)); err != nil {
		return p.fileFailed(prog, err)
	}
	done := progressAt(prog, off, startOff, began)
	done.Status = gse.FileStatusFinished
	p.a.addProgress(p.t, done)
	return nil
}

// resumeFrom hashes what a previous attempt left in f and positions f after
// it; a partial file longer than the source is discarded.
func resumeFrom(f *os.File, h io.Writer, size int64) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	off := st.Size()
	if off > size {
		if err := f.Truncate(0); err != nil {
			return 0, fmt.Errorf("truncate %s: %w", f.Name(), err)
		}
		off = 0
	}
	if _, err := io.CopyN(h, f, off); err != nil {
		return 0, fmt.Errorf("rehash %s: %w", f.Name(), err)
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return 0, fmt.Errorf("seek %s: %w", f.Name(), err)
	}
	return off, nil
}

func (p *puller) finishFile(f *os.File, tmp, dest string, mode os.FileMode) error {
	if mode == 0 {
		mode = 0o644
	}
	if err := f.Chmod(mode); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if err := p.fs.chown(tmp); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := p.fs.rename(tmp, dest); err != nil {
		return err
	}
	return nil
}

func (p *puller) fileFailed(prog gse.FileProgress, err error) error {
	prog.Status, prog.Message = gse.FileStatusFailed, err.Error()
	p.a.addProgress(p.t, prog)
	return err
}

func progressAt(prog gse.FileProgress, off, startOff int64, began time.Time) gse.FileProgress {
	prog.Bytes = off
	prog.Percent = 100
	if prog.Size > 0 {
		prog.Percent = int(off * 100 / prog.Size)
	}
	if el := time.Since(began).Seconds(); el > 0 {
		prog.Speed = int64(float64(off-startOff) / el)
	}
	return prog
}

// request sends a read through the current session, retrying (and so
// resuming) across reconnects and offline sources.
func (p *puller) request(r wire.Read) (*wire.Message, error) {
	r.TaskID = p.t.id
	r.UploadLimit = p.job.UploadLimit
	var last error
	busy := 0
	for attempt := 0; attempt <= pullRetries; attempt++ {
		if attempt > 0 || busy > 0 {
			select {
			case <-p.ctx.Done():
				return nil, p.ctx.Err()
			case <-time.After(min(100*time.Millisecond<<max(attempt, min(busy, 5)), 2*time.Second)):
			}
		}
		s, err := p.a.currentSession(p.ctx)
		if err != nil {
			return nil, err
		}
		m, err := s.request(p.ctx, r)
		switch {
		case err == nil && m.Reply.Code == "":
			return m, nil
		case err == nil && m.Reply.Code == wire.CodeBusy:
			// The hub holds too many of this agent's reads: wait and ask
			// again, for as long as the task runs (not an attempt).
			busy++
			attempt--
			continue
		case err == nil && m.Reply.Code == wire.CodeOffline:
			last = &sourceError{code: m.Reply.Code, msg: m.Reply.Error}
		case err == nil:
			return nil, &sourceError{code: m.Reply.Code, msg: m.Reply.Error}
		case errors.Is(err, errDisconnected):
			last = err
		default:
			return nil, err
		}
	}
	return nil, fmt.Errorf("gave up after %d attempts: %w", pullRetries+1, last)
}
