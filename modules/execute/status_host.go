package execute

import "github.com/bkjob/bkjob/gse"

// HostStatusDesc is the English description of a per-host status code
// (result_type_desc, status_desc).
func HostStatusDesc(status int) string {
	switch status {
	case gse.HostStatusUnknownError:
		return "Unknown error"
	case gse.HostStatusAgentError:
		return "Agent abnormal"
	case gse.HostStatusInvalid:
		return "Invalid host"
	case gse.HostStatusLastSuccess:
		return "Succeeded last time"
	case gse.HostStatusWaiting:
		return "Waiting"
	case gse.HostStatusRunning:
		return "Running"
	case gse.HostStatusSuccess:
		return "Succeeded"
	case gse.HostStatusFailed:
		return "Failed"
	case gse.HostStatusSubmitFailed:
		return "Task dispatch failed"
	case gse.HostStatusTaskTimeout:
		return "Task timeout"
	case gse.HostStatusLogError:
		return "Task log error"
	case gse.HostStatusGSEScriptTimeout:
		return "GSE script log timeout"
	case gse.HostStatusGSEFileTimeout:
		return "GSE file log timeout"
	case gse.HostStatusAgentNotInstalled:
		return "Agent not installed"
	case gse.HostStatusScriptFailed:
		return "Script execution failed"
	case gse.HostStatusScriptTimeout:
		return "Script execution timeout"
	case gse.HostStatusScriptTerminate:
		return "Script execution terminated"
	case gse.HostStatusScriptNonZeroExit:
		return "Script exit code non-zero"
	case gse.HostStatusCopyFileFailed:
		return "File transfer failed"
	case gse.HostStatusSourceNotExist:
		return "Source file does not exist"
	case gse.HostStatusFileError:
		return "File task system error"
	case gse.HostStatusGSETimeout:
		return "File task timeout"
	case gse.HostStatusGSEAgentError:
		return "Agent abnormal"
	case gse.HostStatusGSEUserError:
		return "User does not exist"
	case gse.HostStatusGSEUserPwdError:
		return "Wrong user password"
	case gse.HostStatusGSEFileError:
		return "File fetch failed"
	case gse.HostStatusGSEFileSizeExceed:
		return "File exceeds limit"
	case gse.HostStatusGSEFileTaskError:
		return "File transfer error"
	case gse.HostStatusGSETaskError:
		return "Task execution error"
	case gse.HostStatusTerminateSuccess:
		return "Task force-terminated"
	case gse.HostStatusTerminateFailed:
		return "Task force-termination failed"
	}
	return "Unknown status"
}

// HostErrorCode is the API error_code of a host in status s:
// 0 finished, 115 running, 126 terminated, -1 other.
func HostErrorCode(s int) int {
	switch s {
	case gse.HostStatusWaiting, gse.HostStatusRunning:
		return gse.ErrorCodeRunning
	case gse.HostStatusSuccess, gse.HostStatusLastSuccess, gse.HostStatusScriptNonZeroExit, gse.HostStatusScriptFailed:
		return gse.ErrorCodeFinished
	case gse.HostStatusTerminateSuccess, gse.HostStatusScriptTerminate:
		return gse.ErrorCodeTerminated
	}
	return gse.ErrorCodeOther
}

// HostSucceeded reports whether a host status counts as success.
func HostSucceeded(s int) bool {
	return s == gse.HostStatusSuccess || s == gse.HostStatusLastSuccess
}
