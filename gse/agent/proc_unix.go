//go:build !windows

package agent

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// procAttr starts the script in its own process group, as acct.
func procAttr(acct *account) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if acct.switchUser {
		attr.Credential = &syscall.Credential{Uid: acct.uid, Gid: acct.gid, Groups: acct.groups}
	}
	return attr
}

// killGroup signals every process of the group pgid.
func killGroup(pgid int, sig syscall.Signal) {
	if pgid > 0 {
		_ = syscall.Kill(-pgid, sig)
	}
}

// waitGroupGone polls until no live process is left in group pgid (see
// groupAlive), or deadline.
func waitGroupGone(pgid int, deadline time.Time) {
	for time.Now().Before(deadline) {
		if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) || !groupAlive(pgid) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fileOwner returns the owner and group of a file.
func fileOwner(fi os.FileInfo) (uid, gid uint32, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return st.Uid, st.Gid, true
}

// trackProcess and untrackProcess have nothing to do here: the script's
// process group (Setpgid) already holds everything it starts.
func trackProcess(int) error { return nil }
func untrackProcess(int)     {}
