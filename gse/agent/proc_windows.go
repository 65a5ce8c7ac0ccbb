//go:build windows

package agent

import (
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows has no process groups: each script's process joins a job object
// right after it starts (trackProcess), and killGroup terminates the job,
// which ends every process the script started that is still in it. A
// child started in the instant between the start and the assignment
// escapes; Windows offers no way to start a Go exec.Cmd suspended. Windows
// has no SIGTERM either: a stop ends the tree at once, without the grace
// period the Unix agent gives. Processes left running after the script
// exits normally are not touched (as on Unix): the job is not
// kill-on-close.

var (
	jobsMu sync.Mutex
	jobs   = map[int]windows.Handle{}
)

func procAttr(*account) *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

// trackProcess puts process pid into a new job object.
func trackProcess(pid int) error {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return fmt.Errorf("create job object: %w", err)
	}
	proc, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(pid))
	if err != nil {
		_ = windows.CloseHandle(job)
		return fmt.Errorf("open process %d: %w", pid, err)
	}
	defer func() { _ = windows.CloseHandle(proc) }()
	if err := windows.AssignProcessToJobObject(job, proc); err != nil {
		_ = windows.CloseHandle(job)
		return fmt.Errorf("assign process %d to its job object: %w", pid, err)
	}
	jobsMu.Lock()
	jobs[pid] = job
	jobsMu.Unlock()
	return nil
}

// untrackProcess forgets pid's job object once the script is over.
func untrackProcess(pid int) {
	jobsMu.Lock()
	job, ok := jobs[pid]
	delete(jobs, pid)
	jobsMu.Unlock()
	if ok {
		_ = windows.CloseHandle(job)
	}
}

// killGroup ends the process tree of the script started as pid (sig is
// ignored: Windows terminates). Without a job object it ends the process.
func killGroup(pid int, _ syscall.Signal) {
	jobsMu.Lock()
	job, ok := jobs[pid]
	jobsMu.Unlock()
	if ok {
		_ = windows.TerminateJobObject(job, 1)
		return
	}
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}

// waitGroupGone waits until no process of pid's job is running, or deadline.
func waitGroupGone(pid int, deadline time.Time) {
	jobsMu.Lock()
	job, ok := jobs[pid]
	jobsMu.Unlock()
	if !ok {
		return
	}
	for time.Now().Before(deadline) {
		var info jobAccounting
		err := windows.QueryInformationJobObject(job, windows.JobObjectBasicAccountingInformation,
			uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)), nil)
		if err != nil || info.ActiveProcesses == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jobAccounting is JOBOBJECT_BASIC_ACCOUNTING_INFORMATION (winnt.h), which
// x/sys/windows does not declare.
type jobAccounting struct {
	TotalUserTime, TotalKernelTime                     int64
	ThisPeriodTotalUserTime, ThisPeriodTotalKernelTime int64
	TotalPageFaultCount, TotalProcesses                uint32
	ActiveProcesses, TotalTerminatedProcesses          uint32
}

// The agent's restart recovery (killLeftovers) needs boot ids and process
// start times; on Windows a script of a previous agent run is left alone.
func bootID() string                               { return "" }
func processStart(int) uint64                      { return 0 }
func killLeftovers(int, uint64)                    {}
func fileOwner(os.FileInfo) (uint32, uint32, bool) { return 0, 0, false }
