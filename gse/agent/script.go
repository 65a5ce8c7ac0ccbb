package agent

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

// drainGrace is how long output is still read after a script exited while
// background processes it started keep the pipe open.
const drainGrace = time.Second

// writeScript puts content into a new private dir (0700, owned by acct).
func writeScript(base, content, ext string, acct *account) (string, string, error) {
	dir, err := os.MkdirTemp(base, "bkjob-script-")
	if err != nil {
		return "", "", fmt.Errorf("create script dir in %s: %w", base, err)
	}
	file := filepath.Join(dir, "script"+ext)
	// Owner only, and executable as bk-job's scripts are (one may run $0).
	err = os.WriteFile(file, []byte(content), 0o700) //nolint:gosec // G306: see above
	if err == nil {
		err = os.Chmod(file, 0o700) //nolint:gosec // G302: see above
	}
	if err == nil {
		err = acct.chown(file)
	}
	if err == nil {
		err = acct.chown(dir)
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", "", fmt.Errorf("write script %s: %w", file, err)
	}
	return dir, file, nil
}

// runScript runs one script to its end. ok is false when the agent is
// shutting down: the script was killed and no result is recorded.
func (a *agent) runScript(t *task, meta taskMeta, s *wire.Script) (res gse.HostResult, ok bool) {
	start := time.Now()
	fail := func(status int, err error) (gse.HostResult, bool) {
		a.log.Info("script failed to start", "task", t.id, "err", err)
		return gse.HostResult{Status: status, ErrorCode: gse.ErrorCodeOther, ErrorMsg: err.Error(), Start: start, End: time.Now()}, true
	}
	acct, err := resolveAccount(s.Account)
	if err != nil {
		return fail(gse.HostStatusGSEUserError, err)
	}
	interp, err := interpreter(runtime.GOOS, s.Language, a.opts.WindowsInterpreter, exec.LookPath)
	if err != nil {
		return fail(gse.HostStatusScriptFailed, err)
	}
	args, err := gse.SplitParams(s.Params)
	if err != nil {
		return fail(gse.HostStatusScriptFailed, err)
	}
	dir, file, err := writeScript(a.opts.ScriptDir, s.Content, interp.ext, acct)
	if err != nil {
		return fail(gse.HostStatusScriptFailed, err)
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			a.log.Warn("remove script dir", "dir", dir, "err", err)
		}
	}()

	pr, pw, err := os.Pipe()
	if err != nil {
		return fail(gse.HostStatusScriptFailed, fmt.Errorf("create output pipe: %w", err))
	}
	cmd := exec.Command(interp.prog, interp.argv(file, args)...) //nolint:gosec // G204: running the task's script is the agent's job
	cmd.Dir = acct.workDir(s.WorkDir)
	cmd.Env = acct.environ(s.Env)
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.SysProcAttr = procAttr(acct)
	if err := cmd.Start(); err != nil {
		_ = pw.Close()
		_ = pr.Close()
		return fail(gse.HostStatusScriptFailed, fmt.Errorf("start %s in %s as %s: %w", filepath.Base(interp.prog), cmd.Dir, acct.name, err))
	}
	_ = pw.Close()
	pid := cmd.Process.Pid
	// On Windows the process joins a job object now, so a timeout or a stop
	// ends the whole tree (process groups do it elsewhere).
	if err := trackProcess(pid); err != nil {
		a.log.Warn("track script process tree", "task", t.id, "pid", pid, "err", err)
	}
	defer untrackProcess(pid)
	meta.PGID, meta.PGStart, meta.BootID = pid, processStart(pid), a.bootID
	if err := writeJSON(filepath.Join(t.dir, metaFile), meta); err != nil {
		a.log.Warn("persist task pid", "task", t.id, "err", err)
	}

	out := newOutputWriter(s.MaxOutputBytes, func(b []byte) error { return a.appendOutput(t, b) })
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(out, pr)
		copied <- err
	}()
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()

	reason := a.supervise(pid, s.Timeout, t.stop, exited)

	select {
	case err = <-copied:
	case <-time.After(drainGrace):
		_ = pr.Close()
		err = <-copied
	}
	_ = pr.Close()
	if err != nil && !errors.Is(err, os.ErrClosed) {
		a.log.Warn("read script output", "task", t.id, "err", err)
	}
	if reason == "agent" {
		return gse.HostResult{}, false
	}

	res = gse.HostResult{Start: start, End: time.Now(), Tag: out.tags.Finish(), ExitCode: exitCode(cmd.ProcessState)}
	switch {
	case reason == "timeout":
		res.Status, res.ErrorCode = gse.HostStatusScriptTimeout, gse.ErrorCodeOther
		res.ErrorMsg = fmt.Sprintf("script timed out after %s; its process group was killed", s.Timeout)
	case reason == "stop":
		res.Status, res.ErrorCode = gse.HostStatusScriptTerminate, gse.ErrorCodeTerminated
		res.ErrorMsg = "script stopped on request"
	case res.ExitCode == 0:
		res.Status = gse.HostStatusSuccess
	default:
		res.Status = gse.HostStatusScriptNonZeroExit
	}
	if out.err != nil {
		a.log.Error("spool script output", "task", t.id, "err", out.err)
		lost := fmt.Sprintf("output after byte %d was lost: %v", out.saved, out.err)
		if res.ErrorMsg != "" {
			lost = res.ErrorMsg + "; " + lost
		}
		res.ErrorMsg = lost
	}
	return res, true
}

// supervise waits for the script to exit, enforcing the timeout (SIGKILL to
// the group), stop requests (SIGTERM, then SIGKILL after the grace period)
// and agent shutdown. It returns why the script ended early, or "".
func (a *agent) supervise(pgid int, timeout time.Duration, stop <-chan struct{}, exited <-chan struct{}) string {
	var timeoutC, graceC <-chan time.Time
	if timeout > 0 {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		timeoutC = timer.C
	}
	done := a.ctx.Done()
	reason := ""
	var graceEnd time.Time
	for {
		select {
		case <-exited:
			if reason == "stop" && time.Now().Before(graceEnd) {
				waitGroupGone(pgid, graceEnd)
			}
			if reason != "" {
				killGroup(pgid, syscall.SIGKILL)
			}
			return reason
		case <-timeoutC:
			reason, timeoutC = "timeout", nil
			killGroup(pgid, syscall.SIGKILL)
		case <-stop:
			stop = nil
			if reason == "" {
				reason = "stop"
				graceEnd = time.Now().Add(a.opts.KillGrace)
				graceC = time.After(a.opts.KillGrace)
				killGroup(pgid, syscall.SIGTERM)
			}
		case <-graceC:
			graceC = nil
			killGroup(pgid, syscall.SIGKILL)
		case <-done:
			reason, done = "agent", nil
			killGroup(pgid, syscall.SIGKILL)
		}
	}
}

// exitCode is the script's exit status; a script killed by a signal
// reports 128+signal, as a shell would.
func exitCode(ps *os.ProcessState) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
