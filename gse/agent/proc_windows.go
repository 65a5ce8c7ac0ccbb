//go:build windows

package agent

import (
	"os"
	"syscall"
	"time"
)

// The built-in agent is built for Windows only so the binary compiles there;
// it has no process groups and cannot switch accounts.

func procAttr(*account) *syscall.SysProcAttr       { return &syscall.SysProcAttr{} }
func killGroup(int, syscall.Signal)                {}
func bootID() string                               { return "" }
func processStart(int) uint64                      { return 0 }
func killLeftovers(int, uint64)                    {}
func waitGroupGone(int, time.Time)                 {}
func fileOwner(os.FileInfo) (uint32, uint32, bool) { return 0, 0, false }
