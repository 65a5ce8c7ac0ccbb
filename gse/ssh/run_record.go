package ssh

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/pkg/sftp"

	"github.com/bkjob/bkjob/gse"
)

// A script's run record is a file beside its staged directory,
// "<dir>.run", created by the SSH login user with O_EXCL (its random name
// cannot be planted in advance) and mode 0600, so the account a script
// runs as cannot rewrite it. Its first line names the task and host, the
// wrapper appends the process group id. It outlives this process: after a
// crash, Lost finds the records of tasks it no longer holds and ends their
// process groups, which setsid detached from the dead SSH session.

// runFile is the run record of the staged directory dir.
func runFile(dir string) string { return dir + ".run" }

// runKey is the first line of a run record.
func runKey(taskID string, hostID int64) string {
	return taskID + " " + strconv.FormatInt(hostID, 10)
}

func writeRunFile(cl *sftp.Client, dir, taskID string, hostID int64) error {
	if strings.ContainsAny(taskID, "\n\r\x00") {
		return fmt.Errorf("task id %q: control characters", taskID)
	}
	name := runFile(dir)
	f, err := cl.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return fmt.Errorf("chmod %s: %w", name, err)
	}
	if _, err := f.Write([]byte(runKey(taskID, hostID) + "\n")); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	return nil
}

// cleanupCommand ends what a lost run of key left on a host: for each run
// record the login user owns and that names key, the process group it
// recorded is signalled (TERM, then KILL after the grace) — only while a
// process of that group still runs from the staged directory, so a group
// id reused since is never touched — and the record and directory go.
func (t *Transport) cleanupCommand(key string) string {
	grace := max(1, int(t.cfg.KillGrace.Seconds()))
	return fmt.Sprintf(`for f in %s/bkjob-*.run; do
[ -f "$f" ] && [ -O "$f" ] || continue
id= g=
{ IFS= read -r id; IFS= read -r g; } < "$f"
[ "$id" = %s ] || continue
d=${f%%.run}
case $g in ''|*[!0-9]*) ;; *)
if pgrep -g "$g" -f "$d/" >/dev/null 2>&1; then
kill -TERM -- "-$g" 2>/dev/null; sleep %d; kill -KILL -- "-$g" 2>/dev/null
fi;;
esac
rm -rf -- "$d" "$f"
done; true`, shellQuote(t.cfg.RemoteTempDir), shellQuote(key), grace)
}

// Lost implements gse.Transport: a host is held while its run is
// registered here. For the others, what a run of the task from before a
// restart left on the host is ended (best effort: an unreachable host
// keeps it, which is logged).
func (t *Transport) Lost(ctx context.Context, taskID string, hosts []gse.Host) ([]int64, error) {
	t.mu.Lock()
	runs := t.runs[taskID]
	var lost []gse.Host
	for _, h := range hosts {
		if _, ok := runs[h.ID]; !ok {
			lost = append(lost, h)
		}
	}
	t.mu.Unlock()
	out := make([]int64, len(lost))
	for i, h := range lost {
		out[i] = h.ID
	}
	eachSSHHost(ctx, lost, func(_ int, h gse.Host) {
		if err := t.cleanupHost(ctx, taskID, h); err != nil {
			t.log.Warn("ssh end lost task on host", "task_id", taskID, "host_id", h.ID, "addr", h.SSH.Addr, "err", err)
		}
	})
	return out, ctx.Err()
}

func (t *Transport) cleanupHost(ctx context.Context, taskID string, h gse.Host) error {
	if strings.ContainsAny(taskID, "\n\r\x00") {
		return errors.New("task id has control characters")
	}
	c, err := t.pool.acquire(ctx, h.SSH)
	if err != nil {
		return err
	}
	defer t.pool.release(c)
	_, err = t.control(ctx, c, t.cleanupCommand(runKey(taskID, h.ID)))
	return err
}
