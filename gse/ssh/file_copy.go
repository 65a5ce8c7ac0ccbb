package ssh

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/time/rate"

	"github.com/bkjob/bkjob/gse"
)

// copyFile copies one source file to dest on target h, reporting progress,
// and returns a *hostFailure when it fails.
func (t *Transport) copyFile(ctx context.Context, c *conn, task gse.FileTask, h gse.Host,
	own *owner, files *sourceFiles, f sourceFile, dest string,
) error {
	prog := gse.FileProgress{
		Mode: 1, SrcHostID: files.hostID, SrcPath: f.srcPath, DestPath: dest,
		Size: f.size, Status: gse.FileStatusDownloading,
	}
	report := func(p gse.FileProgress) {
		t.deliver(gse.Event{Kind: gse.EventFile, TaskID: task.TaskID, HostID: h.ID, File: &p})
	}
	report(prog)
	err := t.transfer(ctx, c, task, own, files, f, dest, &prog, report)
	if err != nil {
		if ctx.Err() != nil {
			err = failf(gse.HostStatusCopyFileFailed, "%v", context.Cause(ctx))
		}
		prog.Status, prog.Message = gse.FileStatusFailed, err.Error()
		report(prog)
		return err
	}
	prog.Status, prog.Bytes, prog.Percent = gse.FileStatusFinished, f.size, 100
	report(prog)
	return nil
}

func (t *Transport) transfer(ctx context.Context, c *conn, task gse.FileTask, own *owner,
	files *sourceFiles, f sourceFile, dest string, prog *gse.FileProgress, report func(gse.FileProgress),
) error {
	cl, err := c.sftpClient()
	if err != nil {
		return failf(gse.HostStatusAgentError, "%v", err)
	}
	dir := path.Dir(dest)
	if f.dir {
		dir = dest
	}
	// For another account, the file is staged in a private directory and
	// put in place by that account (placeAs), so no link it planted on the
	// way is followed with the login user's rights.
	stage := dir
	if own.guarded() {
		if err := checkStrict(cl, task); err != nil {
			return err
		}
		if f.dir {
			return t.placeAs(ctx, c, own, "mkdir -p -- "+shellQuote(dir))
		}
		if stage, err = t.privateDir(cl); err != nil {
			return err
		}
		defer func() { _ = cl.Remove(stage) }()
	} else if err := prepareDir(cl, task, dir); err != nil {
		return err
	} else if f.dir {
		return nil
	}

	tmp := path.Join(stage, "."+path.Base(dest)+".bkjob-"+randomHex(6))
	w, err := cl.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return failf(gse.HostStatusFileError, "create %s: %v", tmp, err)
	}
	keep := false
	defer func() {
		if !keep {
			_ = w.Close()
			_ = cl.Remove(tmp)
		}
	}()
	if err := w.Chmod(f.mode); err != nil {
		return failf(gse.HostStatusFileError, "chmod %s: %v", tmp, err)
	}
	r, err := files.open(ctx, f)
	if errors.Is(err, fs.ErrNotExist) {
		return failf(gse.HostStatusSourceNotExist, "source file %s does not exist", f.srcPath)
	}
	if err != nil {
		return failf(gse.HostStatusCopyFileFailed, "open source %s: %v", f.srcPath, err)
	}
	defer func() { _ = r.Close() }()

	sum := sha256.New()
	pr := &progressReader{
		ctx: ctx, r: r, limit: limiter(task.UploadLimit, task.DownloadLimit),
		every: t.cfg.ProgressInterval, start: time.Now(), last: time.Now(),
		report: func(n int64, speed int64) {
			prog.Bytes, prog.Speed = n, speed
			if f.size > 0 {
				prog.Percent = int(n * 100 / f.size)
			}
			report(*prog)
		},
	}
	if _, err := w.ReadFrom(io.TeeReader(pr, sum)); err != nil {
		return failf(gse.HostStatusCopyFileFailed, "copy %s to %s: %v", f.srcPath, tmp, err)
	}
	if err := w.Close(); err != nil {
		return failf(gse.HostStatusCopyFileFailed, "close %s: %v", tmp, err)
	}
	streamed := hex.EncodeToString(sum.Sum(nil))
	want := f.sha256
	if want == "" {
		want = streamed
	}
	if streamed != want {
		return failf(gse.HostStatusFileError, "sha256 of %s: read %s, source says %s", f.srcPath, streamed, want)
	}
	onDisk, err := t.remoteSHA256(ctx, c, tmp)
	if err != nil {
		return failf(gse.HostStatusFileError, "sha256 of %s on target: %v", tmp, err)
	}
	if onDisk != want {
		return failf(gse.HostStatusFileError, "sha256 mismatch for %s: target has %s, want %s", dest, onDisk, want)
	}
	if own != nil {
		if err := cl.Chown(tmp, own.uid, own.gid); err != nil {
			return failf(gse.HostStatusFileError, "chown %s to %s: %v", tmp, own.name, err)
		}
	}
	if own.guarded() {
		if err := cl.Chown(stage, own.uid, own.gid); err != nil {
			return failf(gse.HostStatusFileError, "chown %s to %s: %v", stage, own.name, err)
		}
		err := t.placeAs(ctx, c, own, "mkdir -p -- "+shellQuote(dir)+" && mv -f -T -- "+shellQuote(tmp)+" "+shellQuote(dest))
		if err != nil {
			return err
		}
		keep = true
		prog.SHA256 = want
		return nil
	}
	if err := cl.PosixRename(tmp, dest); err != nil {
		return failf(gse.HostStatusFileError, "rename %s to %s: %v", tmp, dest, err)
	}
	keep = true
	prog.SHA256 = want
	return nil
}

// prepareDir makes sure dir exists. Strict mode (1) requires the task's
// target dir to exist already; it only creates dirs below it.
func prepareDir(cl *sftp.Client, task gse.FileTask, dir string) error {
	if err := checkStrict(cl, task); err != nil {
		return err
	}
	if err := cl.MkdirAll(dir); err != nil {
		return failf(gse.HostStatusFileError, "create directory %s: %v", dir, err)
	}
	return nil
}

// remoteSHA256 hashes a file on the target, so what is checked is what
// landed on its disk.
func (t *Transport) remoteSHA256(ctx context.Context, c *conn, p string) (string, error) {
	out, err := t.control(ctx, c, "sha256sum -- "+shellQuote(p))
	if err != nil {
		return "", err
	}
	sum, _, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	return strings.TrimPrefix(sum, `\`), nil
}

// limiter returns a rate limiter for the lower non-zero limit, or nil.
func limiter(up, down int64) *rate.Limiter {
	l := up
	if l == 0 || (down != 0 && down < l) {
		l = down
	}
	if l <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(l), int(max(l, readBufSize)))
}

// progressReader stops on ctx, applies the rate limit and reports bytes
// read at most every `every`.
type progressReader struct {
	ctx    context.Context
	r      io.Reader
	limit  *rate.Limiter
	every  time.Duration
	start  time.Time
	last   time.Time
	n      int64
	report func(n, speed int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, context.Cause(p.ctx)
	}
	if p.limit != nil && len(b) > p.limit.Burst() {
		b = b[:p.limit.Burst()]
	}
	n, err := p.r.Read(b)
	if n > 0 && p.limit != nil {
		if werr := p.limit.WaitN(p.ctx, n); werr != nil {
			return n, context.Cause(p.ctx)
		}
	}
	p.n += int64(n)
	if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		elapsed := now.Sub(p.start).Seconds()
		speed := int64(0)
		if elapsed > 0 {
			speed = int64(float64(p.n) / elapsed)
		}
		p.report(p.n, speed)
	}
	return n, err
}
