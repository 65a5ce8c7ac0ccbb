package execute

import (
	"strconv"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/i18n"
)

// HostStatusDesc names a per-host status code (result_type_desc,
// status_desc) in t's language, from the catalogue's status.host texts; a
// code the catalogue does not name reads as UNKNOWN (500) does.
func HostStatusDesc(t i18n.Translator, status int) string {
	key := "status.host." + strconv.Itoa(status)
	if !t.Has(key) {
		key = "status.host." + strconv.Itoa(gse.HostStatusUnknown)
	}
	return t.Text(key, nil)
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
