package execute

import (
	"net/http"

	"github.com/bkjob/bkjob/platform/errs"
)

// Sentinel errors, with their stable codes.
var (
	ErrJobNotFound  = errs.New("execute.jobNotFound", http.StatusNotFound, "job instance not found")
	ErrStepNotFound = errs.New("execute.stepNotFound", http.StatusNotFound, "step instance not found")
	ErrHostNotFound = errs.New("execute.hostNotFound", http.StatusNotFound, "host is not a target of the step")
	// ErrOperationNotAllowed means the job or step is not in a status that
	// allows the operation (retry a running step, terminate a finished job).
	ErrOperationNotAllowed = errs.New("execute.operationNotAllowed", http.StatusConflict, "operation not allowed in the current status")
	// ErrNotSupported marks a documented parameter or value bkjob does not support yet.
	ErrNotSupported = errs.New("execute.notSupported", http.StatusNotImplemented, "not supported yet")
	// ErrSystemQuota, ErrAppQuota and ErrScopeQuota refuse a new job while
	// the whole system, the caller's app code or the job's scope has as
	// many unfinished jobs as execute.running_job_quota allows: bk-job's
	// running-job quota, HTTP 429 on every API.
	ErrSystemQuota = errs.New("execute.runningJobSystemQuota", http.StatusTooManyRequests, "too many running jobs in the system")
	ErrAppQuota    = errs.New("execute.runningJobAppQuota", http.StatusTooManyRequests, "too many running jobs of the app")
	ErrScopeQuota  = errs.New("execute.runningJobScopeQuota", http.StatusTooManyRequests, "too many running jobs in the scope")
)

// NotSupported names a parameter that bk-job documents and bkjob does not support yet.
func NotSupported(field, format string, args ...any) *errs.Error {
	return ErrNotSupported.Withf(format+" is not supported yet", args...).OnField(field)
}
