package app

import (
	"os"
	"syscall"
)

// agentProcAttr has nothing to add on Windows.
func agentProcAttr() *syscall.SysProcAttr { return nil }

// signalGroup stops the agent process; Windows has no process groups to
// signal, and no SIGTERM, so both steps kill it.
func signalGroup(pid int, _ bool) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}
