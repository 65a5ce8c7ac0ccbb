//go:build !windows

package agent_test

import (
	"os"
	"syscall"
)

func fileUID(fi os.FileInfo) uint32 { return fi.Sys().(*syscall.Stat_t).Uid }
