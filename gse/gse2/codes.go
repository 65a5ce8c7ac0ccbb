package gse2

import (
	"time"

	"github.com/bkjob/bkjob/gse"
)

// GSE atomic task status.
const (
	StatusUnstart = 0
	StatusRunning = 1
	StatusSuccess = 2
	StatusTimeout = 3
	StatusDiscard = 4
	StatusFailed  = 5
)

// GSE atomic task error codes with a meaning of their own.
const (
	ErrorCodeOK         = 0
	ErrorCodeRunning    = 115
	ErrorCodeTerminated = 126
)

// Agent status codes of list_agent_state; only Running means alive.
const (
	AgentNotFound     = -2
	AgentQueryFail    = -1
	AgentInitInstall  = 0
	AgentBooting      = 1
	AgentRunning      = 2
	AgentInTrouble    = 3
	AgentBusy         = 4
	AgentUpgrading    = 5
	AgentStopping     = 6
	AgentRemoving     = 7
	maxExitCodeFactor = 256
)

// hostStatusByErrorCode maps a GSE error code to a bkjob host status,
// exactly as bk-job does.
func hostStatusByErrorCode(code int) (int, bool) {
	switch code {
	case 120:
		return gse.HostStatusGSETimeout, true
	case 117:
		return gse.HostStatusGSEAgentError, true
	case 122:
		return gse.HostStatusGSEUserError, true
	case 1326:
		return gse.HostStatusGSEUserPwdError, true
	case 104, 123, 127, 705, 706, 708, 709:
		return gse.HostStatusGSEFileError, true
	case 119:
		return gse.HostStatusGSEFileSizeExceed, true
	case 701, 702, 703, 704, 707, 710:
		return gse.HostStatusGSEFileTaskError, true
	case 101, 102, 103, 105, 106, 107, 108, 109, 111, 112, 114, 118:
		return gse.HostStatusGSETaskError, true
	case ErrorCodeTerminated:
		return gse.HostStatusTerminateSuccess, true
	}
	return 0, false
}

// normalizeExitCode turns a raw wait status (code << 8, as GSE may report
// it) into the script's exit code.
func normalizeExitCode(code int) int {
	if code >= maxExitCodeFactor {
		return code / maxExitCodeFactor
	}
	return code
}

// isRunning reports whether a GSE atomic result is not final yet.
func isRunning(status, errorCode int) bool {
	return errorCode == ErrorCodeRunning ||
		(errorCode == ErrorCodeOK && (status == StatusUnstart || status == StatusRunning))
}

// finalStatus maps a final GSE result to (host status, API error code).
// timeoutStatus is what a GSE TIMEOUT with an unmapped error code becomes
// (GSE_SCRIPT_TIMEOUT for scripts, GSE_FILE_TIMEOUT for files).
func finalStatus(status, errorCode, exitCode, timeoutStatus int) (int, int) {
	switch {
	case errorCode == ErrorCodeOK && status == StatusSuccess:
		if exitCode == 0 {
			return gse.HostStatusSuccess, gse.ErrorCodeFinished
		}
		return gse.HostStatusScriptNonZeroExit, gse.ErrorCodeFinished
	case errorCode == ErrorCodeTerminated:
		return gse.HostStatusTerminateSuccess, gse.ErrorCodeTerminated
	}
	if s, ok := hostStatusByErrorCode(errorCode); ok {
		return s, gse.ErrorCodeOther
	}
	switch status {
	case StatusTimeout:
		return timeoutStatus, gse.ErrorCodeOther
	case StatusDiscard:
		return gse.HostStatusGSETaskError, gse.ErrorCodeOther
	}
	if errorCode == ErrorCodeOK && exitCode != 0 {
		return gse.HostStatusScriptNonZeroExit, gse.ErrorCodeFinished
	}
	return gse.HostStatusFailed, gse.ErrorCodeOther
}

// ScriptCadence is bk-job's script result polling interval after elapsed:
// 1s for the first 10s, 2s up to a minute, 5s up to five minutes, then 10s.
func ScriptCadence(elapsed time.Duration) time.Duration {
	switch {
	case elapsed <= 10*time.Second:
		return time.Second
	case elapsed <= time.Minute:
		return 2 * time.Second
	case elapsed <= 5*time.Minute:
		return 5 * time.Second
	}
	return 10 * time.Second
}

// FileCadence is bk-job's file result polling interval after elapsed: 1s
// for the first 2s, 2s up to 20s, 5s up to five minutes, then 10s.
func FileCadence(elapsed time.Duration) time.Duration {
	switch {
	case elapsed <= 2*time.Second:
		return time.Second
	case elapsed <= 20*time.Second:
		return 2 * time.Second
	case elapsed <= 5*time.Minute:
		return 5 * time.Second
	}
	return 10 * time.Second
}

// fileStatus maps a GSE file entry status to a bkjob file status.
func fileStatus(status, errorCode, mode int) int {
	switch {
	case isRunning(status, errorCode) && status == StatusUnstart:
		return gse.FileStatusWaiting
	case isRunning(status, errorCode):
		if mode == 0 {
			return gse.FileStatusUploading
		}
		return gse.FileStatusDownloading
	case errorCode == ErrorCodeOK && status == StatusSuccess:
		return gse.FileStatusFinished
	}
	return gse.FileStatusFailed
}
