package ssh

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/errs"
)

// StartFile implements gse.Transport. Paths are checked before anything
// runs: the target dir and host source paths must be absolute and free of
// ".." elements, and names must be plain file names. The hosts run under
// the transport's context, like StartScript's.
//
//nolint:contextcheck // see above
func (t *Transport) StartFile(_ context.Context, task gse.FileTask) error {
	if err := validateFileTask(&task); err != nil {
		return err
	}
	started := time.Now()
	return t.start(task.TaskID, task.Targets, func(ctx context.Context, h gse.Host) {
		res := t.fileOnHost(ctx, task, h, started)
		t.deliverResult(task.TaskID, h.ID, res)
	})
}

func validateFileTask(task *gse.FileTask) error {
	if task.TaskID == "" {
		return errs.Invalid("task_id", "is required")
	}
	if task.Mode == 0 {
		task.Mode = gse.TransferForce
	}
	if task.Mode < gse.TransferStrict || task.Mode > gse.TransferSafetyDateIP {
		return errs.Invalid("mode", "must be 1..4, got %d", task.Mode)
	}
	if err := checkAbsPath(task.TargetDir); err != nil {
		return errs.Invalid("target_dir", "%v", err)
	}
	if len(task.Sources) == 0 {
		return errs.Invalid("sources", "at least one source is required")
	}
	for i, s := range task.Sources {
		field := fmt.Sprintf("sources[%d]", i)
		switch {
		case s.BlobKey == "" && s.Host == nil:
			return errs.Invalid(field, "needs a blob key or a source host")
		case s.BlobKey != "" && s.Host != nil:
			return errs.Invalid(field, "has both a blob key and a source host")
		case s.Host != nil && s.Host.SSH == nil:
			return errs.Invalid(field+".host", "host %d has no SSH endpoint", s.Host.ID)
		}
		if s.Host != nil {
			if err := checkAbsPath(s.Path); err != nil {
				return errs.Invalid(field+".path", "%v", err)
			}
		}
		if s.Name != "" && (strings.Contains(s.Name, "/") || s.Name == "." || s.Name == "..") {
			return errs.Invalid(field+".name", "must be a plain file name, got %q", s.Name)
		}
	}
	return nil
}

// checkAbsPath refuses relative paths and any ".." element (before cleaning,
// so "/data/../etc" is refused rather than silently becoming "/etc").
func checkAbsPath(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("path %q must be absolute", p)
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return fmt.Errorf("path %q must not contain \"..\"", p)
		}
	}
	if strings.ContainsRune(p, 0) {
		return fmt.Errorf("path %q contains a NUL byte", p)
	}
	return nil
}

// fileOnHost copies every source to target h and returns its final result.
//
//nolint:contextcheck // ctx becomes hh.ctx, derived from it in hold; the linter does not follow the field
func (t *Transport) fileOnHost(ctx context.Context, task gse.FileTask, h gse.Host, started time.Time) gse.HostResult {
	hh, res := t.hold(ctx, h, task.Timeout, task.Account, fileInterrupted)
	if hh == nil {
		return res
	}
	defer hh.done()
	ctx, start := hh.ctx, hh.start
	t.deliverResult(task.TaskID, h.ID, gse.HostResult{
		Status: gse.HostStatusRunning, ErrorCode: gse.ErrorCodeRunning, Start: start,
	})

	var firstErr error
	for _, src := range task.Sources {
		files, err := t.openSource(ctx, src)
		if err == nil {
			err = t.copyAll(ctx, hh.conn, task, h, hh.own, files, task.DestDir(src, started))
		}
		if ctx.Err() != nil {
			return fileInterrupted(start, context.Cause(ctx))
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return failed(start, firstErr)
	}
	now := time.Now()
	return gse.HostResult{Status: gse.HostStatusSuccess, ErrorCode: gse.ErrorCodeFinished, Start: start, End: now}
}

// copyAll copies one source's files, reporting each; it goes on after a
// failed file and returns the first error.
func (t *Transport) copyAll(ctx context.Context, c *conn, task gse.FileTask, h gse.Host,
	own *owner, files *sourceFiles, dir string,
) error {
	defer files.close()
	var firstErr error
	for _, f := range files.list {
		dest := path.Join(dir, f.rel)
		err := t.copyFile(ctx, c, task, h, own, files, f, dest)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			return firstErr
		}
	}
	return firstErr
}

// fileInterrupted is the final result of a transfer cut short: stopped,
// timed out or closed.
func fileInterrupted(start time.Time, cause error) gse.HostResult {
	r := interrupted(start, cause, nil)
	switch {
	case errors.Is(cause, errStopped):
		r.Status = gse.HostStatusTerminateSuccess
	case errors.Is(cause, errTimedOut):
		r.Status = gse.HostStatusGSEFileTimeout
	}
	return r
}
