package ssh

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/errs"
)

// StartScript implements gse.Transport. The hosts run under the
// transport's context, not the caller's: the task outlives the call that
// started it, and Stop or Close ends it.
//
//nolint:contextcheck // see above
func (t *Transport) StartScript(_ context.Context, task gse.ScriptTask) error {
	if task.TaskID == "" {
		return errs.Invalid("task_id", "is required")
	}
	for k := range task.Env {
		if !gse.ValidEnvName(k) {
			return errs.Invalid("env", "invalid variable name %q", k)
		}
	}
	if task.Timeout < 0 {
		return errs.Invalid("timeout", "must not be negative")
	}
	return t.start(task.TaskID, task.Hosts, func(ctx context.Context, h gse.Host) {
		res := t.scriptOnHost(ctx, task, h)
		t.deliverResult(task.TaskID, h.ID, res)
	})
}

// scriptOnHost runs task on h and returns its final result; the running
// result and output chunks are delivered on the way.
//
//nolint:contextcheck // ctx becomes hh.ctx, derived from it in hold; the linter does not follow the field
func (t *Transport) scriptOnHost(ctx context.Context, task gse.ScriptTask, h gse.Host) gse.HostResult {
	hh, res := t.hold(ctx, h, task.Timeout, task.Account, interruptedScript)
	if hh == nil {
		return res
	}
	defer hh.done()
	ctx, start, c := hh.ctx, hh.start, hh.conn
	dir, file, err := t.stageScript(c, task, h.ID, hh.own)
	if dir != "" {
		defer t.removeDir(c, dir)
	}
	if err != nil {
		return failedOrInterrupted(ctx, start, err)
	}
	workDir := task.WorkDir
	if workDir == "" {
		workDir = dir
	}
	cmd, err := scriptCommand{
		lang: task.Language, path: file, runFile: runFile(dir), params: task.Params,
		env: task.Env, workDir: workDir, runAs: hh.own,
	}.build()
	if err != nil {
		return failed(start, err)
	}
	t.deliverResult(task.TaskID, h.ID, gse.HostResult{
		Status: gse.HostStatusRunning, ErrorCode: gse.ErrorCodeRunning, Start: start,
	})
	return t.execute(ctx, c, task.TaskID, h.ID, cmd, start)
}

// owner is the account a script or file belongs to when it is not the SSH
// login user; nil means the login user itself.
type owner struct {
	name     string
	uid, gid int
}

// account resolves the requested OS account. Only a root login may act as
// another account.
func (t *Transport) account(ctx context.Context, c *conn, login, account string) (*owner, error) {
	if account == "" || account == login {
		return nil, nil
	}
	if login != "root" {
		return nil, failf(gse.HostStatusGSEUserError,
			"cannot run as account %q: SSH user %q is not root and can only act as itself", account, login)
	}
	q := shellQuote(account)
	out, err := t.control(ctx, c, "id -u -- "+q+" && id -g -- "+q)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, failf(gse.HostStatusGSEUserError, "account %q does not exist on the host: %v", account, err)
	}
	o := &owner{name: account}
	if _, err := fmt.Sscanf(string(out), "%d\n%d", &o.uid, &o.gid); err != nil {
		return nil, failf(gse.HostStatusGSEUserError, "read ids of account %q: %v", account, err)
	}
	return o, nil
}

// stageScript uploads the script to a fresh private directory and returns
// the directory (to remove afterwards) and the script path.
func (t *Transport) stageScript(c *conn, task gse.ScriptTask, hostID int64, own *owner) (dir, file string, err error) {
	cl, err := c.sftpClient()
	if err != nil {
		return "", "", failf(gse.HostStatusAgentError, "%v", err)
	}
	dir = path.Join(t.cfg.RemoteTempDir, "bkjob-"+randomHex(8))
	if err := cl.Mkdir(dir); err != nil {
		return "", "", failf(gse.HostStatusScriptFailed, "create script dir %s: %v", dir, err)
	}
	file = path.Join(dir, "bk_gse_script"+gse.ScriptExt(task.Language))
	stage := func() error {
		if err := cl.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("chmod %s: %w", dir, err)
		}
		f, err := cl.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
		if err != nil {
			return fmt.Errorf("create %s: %w", file, err)
		}
		if err := f.Chmod(0o700); err != nil {
			_ = f.Close()
			return fmt.Errorf("chmod %s: %w", file, err)
		}
		if _, err := f.Write([]byte(task.Content)); err != nil {
			_ = f.Close()
			return fmt.Errorf("write %s: %w", file, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("close %s: %w", file, err)
		}
		if own != nil {
			for _, p := range []string{file, dir} {
				if err := cl.Chown(p, own.uid, own.gid); err != nil {
					return fmt.Errorf("chown %s: %w", p, err)
				}
			}
		}
		return nil
	}
	if err := stage(); err != nil {
		return dir, "", failf(gse.HostStatusScriptFailed, "stage script: %v", err)
	}
	if err := writeRunFile(cl, dir, task.TaskID, hostID); err != nil {
		return dir, "", failf(gse.HostStatusScriptFailed, "stage script: %v", err)
	}
	return dir, file, nil
}

func (t *Transport) removeDir(c *conn, dir string) {
	cl, err := c.sftpClient()
	if err == nil {
		err = cl.RemoveAll(dir)
	}
	if err == nil {
		// The record is missing when staging failed before it was written.
		if rerr := cl.Remove(runFile(dir)); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			err = rerr
		}
	}
	if err != nil {
		t.log.Warn("ssh remove script dir", "addr", c.key.addr, "dir", dir, "err", err)
	}
}

// control runs a short command in the connection's control slot and
// returns its stdout; a non-zero exit is an error carrying stderr.
func (t *Transport) control(ctx context.Context, c *conn, cmd string) ([]byte, error) {
	s, release, err := c.session(ctx, c.control)
	if err != nil {
		return nil, err
	}
	defer release()
	var stderr limitedBuffer
	s.Stderr = &stderr
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := s.Output(cmd)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return r.out, fmt.Errorf("%s: %w", stderr.String(), r.err)
		}
		return r.out, nil
	case <-ctx.Done():
		_ = s.Close()
		return nil, context.Cause(ctx)
	}
}

// exitCode reads the exit status out of a session's Wait error.
func exitCode(err error) (int, error) {
	var exitErr *ssh.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exitErr):
		if exitErr.Signal() != "" && exitErr.ExitStatus() == 0 {
			return -1, fmt.Errorf("script killed by signal %s", exitErr.Signal())
		}
		return exitErr.ExitStatus(), nil
	default:
		return -1, err
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// failed is the final result of a host that could not run.
func failed(start time.Time, err error) gse.HostResult {
	now := time.Now()
	if start.IsZero() {
		start = now
	}
	return gse.HostResult{
		Status: statusOf(err), ExitCode: -1, ErrorCode: gse.ErrorCodeOther,
		ErrorMsg: err.Error(), Start: start, End: now,
	}
}

// failedOrInterrupted reports err, unless the host's context ended first.
func failedOrInterrupted(ctx context.Context, start time.Time, err error) gse.HostResult {
	return failedOrCut(ctx, start, err, interruptedScript)
}

// interruptedScript is the final result of a script cut short before it
// ran (a cutFunc).
func interruptedScript(start time.Time, cause error) gse.HostResult {
	return interrupted(start, cause, nil)
}

// interrupted is the final result of a host cut short by cause.
func interrupted(start time.Time, cause error, out *output) gse.HostResult {
	now := time.Now()
	if start.IsZero() {
		start = now
	}
	r := gse.HostResult{ExitCode: -1, Start: start, End: now, ErrorMsg: cause.Error()}
	if out != nil {
		r.Offset = out.offset
		r.Tag = out.tags.Tag()
	}
	switch {
	case errors.Is(cause, errStopped):
		r.Status, r.ErrorCode = gse.HostStatusScriptTerminate, gse.ErrorCodeTerminated
	case errors.Is(cause, errTimedOut):
		r.Status, r.ErrorCode = gse.HostStatusScriptTimeout, gse.ErrorCodeOther
	default:
		r.Status, r.ErrorCode = gse.HostStatusAgentError, gse.ErrorCodeOther
	}
	return r
}
