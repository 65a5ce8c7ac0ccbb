package gse

import "time"

// EventKind says which field of Event is set.
type EventKind string

// The kinds of Event, one per payload field.
const (
	EventOutput EventKind = "output" // Output: a chunk of the host's output
	EventResult EventKind = "result" // Result: the host's running or final state
	EventFile   EventKind = "file"   // File: progress of one file of a transfer
)

// Event is one thing that happened to (task, host).
type Event struct {
	Kind   EventKind     `json:"kind"`
	TaskID string        `json:"task_id"`
	HostID int64         `json:"host_id"`
	Output *OutputChunk  `json:"output,omitempty"`
	Result *HostResult   `json:"result,omitempty"`
	File   *FileProgress `json:"file,omitempty"`
}

// OutputChunk is a piece of a host's combined stdout/stderr.
type OutputChunk struct {
	Offset int64  `json:"offset"` // byte offset of Data in the host's output
	Data   []byte `json:"data"`
}

// HostResult is a host's final (or running) state for a task.
type HostResult struct {
	Status    int       `json:"status"` // HostStatus* below
	ExitCode  int       `json:"exit_code"`
	ErrorCode int       `json:"error_code"` // 0 finished, 115 running, 126 terminated, -1 other
	ErrorMsg  string    `json:"error_msg,omitempty"`
	Tag       string    `json:"tag,omitempty"` // from job_success:[..] / job_fail:[..]
	Start     time.Time `json:"start_time"`
	End       time.Time `json:"end_time"`
	Offset    int64     `json:"offset"` // total output bytes
}

// FileProgress reports one file on one host (mode 0 upload at a source, 1 download at a target).
type FileProgress struct {
	Mode      int    `json:"mode"`
	SrcHostID int64  `json:"src_host_id"`
	SrcPath   string `json:"src_path"`
	DestPath  string `json:"dest_path"`
	Size      int64  `json:"size"`
	Bytes     int64  `json:"bytes"`
	Speed     int64  `json:"speed"` // bytes/s
	Percent   int    `json:"percent"`
	Status    int    `json:"status"` // FileStatus* below
	SHA256    string `json:"sha256,omitempty"`
	Message   string `json:"message,omitempty"`
}

// File transfer status per file per host (bk-job FileDistStatusEnum).
const (
	FileStatusPulling     = 0
	FileStatusWaiting     = 1
	FileStatusUploading   = 2
	FileStatusDownloading = 3
	FileStatusFinished    = 4
	FileStatusFailed      = 5
)

// Per-host status codes (bk-job ExecuteObjectTaskStatusEnum).
const (
	HostStatusUnknownError      = 0
	HostStatusAgentError        = 1
	HostStatusInvalid           = 2
	HostStatusLastSuccess       = 3
	HostStatusWaiting           = 5
	HostStatusRunning           = 7
	HostStatusSuccess           = 9
	HostStatusFailed            = 11
	HostStatusSubmitFailed      = 12
	HostStatusTaskTimeout       = 13
	HostStatusLogError          = 15
	HostStatusGSEScriptTimeout  = 16
	HostStatusGSEFileTimeout    = 17
	HostStatusAgentNotInstalled = 18
	HostStatusScriptFailed      = 101
	HostStatusScriptTimeout     = 102
	HostStatusScriptTerminate   = 103
	HostStatusScriptNonZeroExit = 104
	HostStatusCopyFileFailed    = 202
	HostStatusSourceNotExist    = 203
	HostStatusFileError         = 301
	HostStatusGSETimeout        = 303
	HostStatusGSEAgentError     = 310
	HostStatusGSEUserError      = 311
	HostStatusGSEUserPwdError   = 312
	HostStatusGSEFileError      = 320
	HostStatusGSEFileSizeExceed = 321
	HostStatusGSEFileTaskError  = 329
	HostStatusGSETaskError      = 399
	HostStatusTerminateSuccess  = 403
	HostStatusTerminateFailed   = 404
	HostStatusUnknown           = 500
)

// Per-host API error codes.
const (
	ErrorCodeFinished   = 0
	ErrorCodeRunning    = 115
	ErrorCodeTerminated = 126
	ErrorCodeOther      = -1
)

// HostStatusFinished reports whether a host status is terminal.
func HostStatusFinished(s int) bool {
	return s != HostStatusWaiting && s != HostStatusRunning
}
