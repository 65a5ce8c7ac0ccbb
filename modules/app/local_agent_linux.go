package app

import "syscall"

// agentProcAttr puts the agent in its own process group (so stopping it
// reaches whatever it left behind) and has the kernel send it SIGTERM if
// the server dies without stopping it.
func agentProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
