//go:build unix && !linux

package app

import "syscall"

// agentProcAttr puts the agent in its own process group, so stopping it
// reaches whatever it left behind.
func agentProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
