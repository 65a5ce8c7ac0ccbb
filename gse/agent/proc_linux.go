//go:build linux

package agent

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// bootID identifies this boot, so a pgid saved before a reboot is never
// signalled after it.
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// procStat returns a process's group and start time (clock ticks since boot).
func procStat(pid int) (pgrp int, start uint64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	// The command name may hold spaces and parentheses: fields start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); pgrp is field 5, starttime field 22.
	if len(f) < 20 {
		return 0, 0, false
	}
	g, err1 := strconv.Atoi(f[2])
	st, err2 := strconv.ParseUint(f[19], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return g, st, true
}

// processStart is the start time of pid, 0 when unknown.
func processStart(pid int) uint64 {
	_, st, _ := procStat(pid)
	return st
}

// killLeftovers kills what remains of a script's process group after the
// agent died: every process in group pgid that started no earlier than the
// group's leader did (so a recycled pgid's newer group is spared unless it
// reused the very same number within one boot and started later).
func killLeftovers(pgid int, leaderStart uint64) {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	found := false
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		g, st, ok := procStat(pid)
		if ok && g == pgid && st >= leaderStart {
			found = true
			break
		}
	}
	if found {
		killGroup(pgid, syscall.SIGKILL)
	}
}

// groupAlive reports whether a process of group pgid is alive (not a
// zombie). Zombies count as gone: orphans reparented to an init that does not
// reap (as in many containers) stay zombies forever.
func groupAlive(pgid int) bool {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		b, err := os.ReadFile(d + "/stat") //nolint:gosec // G304: a /proc/<pid>/stat path from the Glob above
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 2 && f[0] != "Z" && f[2] == strconv.Itoa(pgid) {
			return true
		}
	}
	return false
}
