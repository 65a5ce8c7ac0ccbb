package httpx

import (
	"errors"
	"net/http"

	"github.com/bkjob/bkjob/platform/errs"
)

// bk-job's numeric v3 codes (../shared/reference/error-codes.md) that the
// table below and the handlers use by name.
const (
	v3MissingParamWithName       = 1241004 // MISSING_PARAM_WITH_PARAM_NAME
	v3IllegalParamWithName       = 1241005 // ILLEGAL_PARAM_WITH_PARAM_NAME
	v3IllegalParamWithReason     = 1241010 // ILLEGAL_PARAM_WITH_PARAM_NAME_AND_REASON
	v3IllegalParamWithReasonOnly = 1241012 // ILLEGAL_PARAM_WITH_REASON
	v3IllegalParam               = 1241002 // ILLEGAL_PARAM
	v3UnsupportedOperation       = 1241003 // UNSUPPORTED_OPERATION
	v3NotSupportFeature          = 1241011 // NOT_SUPPORT_FEATURE
	v3APIUnsupported             = 1239003 // API_UNSUPPORTED
	v3APIParamNullOrIllegal      = 1239004 // API_PARAM_NULL_OR_ILLEGAL
	v3APIOverload                = 1239008 // API_OVER_LOAD
	v3PermissionDenied           = 1238001 // PERMISSION_DENIED
	v3ServiceUnavailable         = 1240001 // SERVICE_UNAVAILABLE
	v3InternalError              = 1240002 // INTERNAL_ERROR
	v3CookieIllegal              = 1240004 // COOKIE_ILLEGAL
	v3ServiceAuthFail            = 1240005 // SERVICE_AUTH_FAIL
	v3DBError                    = 1252001 // DB_ERROR
	v3MQError                    = 1255001 // MQ_ERROR
	v3RedisError                 = 1250001 // REDIS_CONNECT_FAIL
)

// v3CodeByErrCode is THE table from a typed error's stable code to bk-job's
// number: every sentinel with a bk-job code of its own is listed here (the
// modules' sentinels by their string codes, which survive the bus), and
// docs/api.md repeats it. A code not listed falls back by its kind
// (v3CodeByStatus).
var v3CodeByErrCode = map[string]int{
	// Parameters and requests.
	errs.ErrRequired.Code:       v3MissingParamWithName,
	errs.ErrInvalidType.Code:    v3IllegalParamWithName,
	errs.ErrBadBody.Code:        v3APIParamNullOrIllegal,
	"common.bodyTooLarge":       v3APIParamNullOrIllegal,
	errs.ErrUnsupportedAPI.Code: v3APIUnsupported,
	errs.ErrNotImplemented.Code: v3NotSupportFeature,
	"execute.notSupported":      v3NotSupportFeature,
	// Entities that do not exist, each with bk-job's own code.
	"execute.jobNotFound":    1244006, // TASK_INSTANCE_NOT_EXIST
	"execute.stepNotFound":   1244007, // STEP_INSTANCE_NOT_EXIST
	"execute.hostNotFound":   1244002, // HOST_INVALID
	"agent.notFound":         1244002, // HOST_INVALID
	"account.notFound":       1244003, // ACCOUNT_NOT_EXIST
	"credential.notFound":    1243048, // CREDENTIAL_NOT_EXIST
	"scope.notFound":         1243051, // SCOPE_NOT_EXIST
	"script.notFound":        1243001, // SCRIPT_NOT_EXIST
	"scriptVersion.notFound": 1243047, // SCRIPT_VERSION_NOT_EXIST
	// The script library's rules (manage/script.go).
	"script.nameExists":          1243002, // SCRIPT_NAME_DUPLICATE
	"scriptVersion.exists":       1243036, // SCRIPT_VERSION_NAME_EXIST
	"scriptVersion.state":        v3UnsupportedOperation,
	"scriptVersion.deleteOnline": 1243005, // DELETE_ONLINE_SCRIPT_FAIL
	"script.disabled":            1244014, // SCRIPT_DISABLED_SHOULD_NOT_EXECUTE
	"script.notExecutable":       1244018, // SCRIPT_NOT_EXECUTABLE_STATUS
	// A name already taken. bk-job has no code for credentials: bkjob's own,
	// in job-manage's block far above bk-job's last one there (1243053) so
	// none of its future codes can collide; docs/api.md lists it.
	"credential.nameExists": 1243901,
	// Accounts (bk-job's own codes).
	"account.aliasExists":            1243007, // ACCOUNT_ALIAS_EXIST
	"account.dbSystemAccountInvalid": 1243008, // DB_SYSTEM_ACCOUNT_IS_INVALID
	"account.inUse":                  1243014, // DELETE_REF_ACCOUNT_FORBIDDEN
	// Businesses and sets (manage/scope_admin.go): an id taken is bkjob's
	// own code; a set where a business is needed is bk-job's.
	"scope.exists":       1243902,
	"scope.notForBizSet": 1241013, // NOT_SUPPORT_FEATURE_FOR_BIZ_SET
	// The web session: missing, expired, or a state change without its CSRF
	// token (bk-job's job-gateway answers its web calls so).
	"auth.session": v3CookieIllegal,
	"auth.csrf":    v3CookieIllegal,
	// State, permission, limits, backends.
	"execute.operationNotAllowed": v3UnsupportedOperation,
	// An intercept dangerous rule matched the script (manage's sentinel,
	// named for the execute check it is): DANGEROUS_SCRIPT_FORBIDDEN_EXECUTION.
	"execute.dangerousScript": 1244019,
	// bk-job's running-job quota (bkjob.md §3.1 step 5), HTTP 429: the
	// system, the app code, the scope (RUNNING_JOB_EXCEED_SYSTEM_QUOTA_LIMIT,
	// _APP_QUOTA_LIMIT, _RESOURCE_SCOPE_QUOTA_LIMIT).
	"execute.runningJobSystemQuota": 1244032,
	"execute.runningJobAppQuota":    1244033,
	"execute.runningJobScopeQuota":  1244034,
	// Login / secret checks rate limited or locked out: API_OVER_LOAD,
	// with 429 too; never a quota code.
	"auth.throttled":      v3APIOverload,
	"common.database":     v3DBError,
	"common.broker":       v3MQError,
	"common.redis":        v3RedisError,
	errs.ErrInternal.Code: v3InternalError,
}

// v3CodeByStatus is the fallback for a typed error the table does not
// list, by its HTTP status (its kind).
var v3CodeByStatus = map[int]int{
	http.StatusBadRequest:          v3IllegalParamWithReason,
	http.StatusUnauthorized:        v3ServiceAuthFail, // v3 authenticates apps
	http.StatusForbidden:           v3PermissionDenied,
	http.StatusNotFound:            v3IllegalParam, // an id that names nothing bk-job has a code for
	http.StatusMethodNotAllowed:    v3APIUnsupported,
	http.StatusConflict:            v3UnsupportedOperation,
	http.StatusTooManyRequests:     v3APIOverload, // any other throttling; the quota has its own rows
	http.StatusNotImplemented:      v3NotSupportFeature,
	http.StatusServiceUnavailable:  v3ServiceUnavailable,
	http.StatusGatewayTimeout:      v3ServiceUnavailable,
	http.StatusInternalServerError: v3InternalError,
}

// V3Code returns the numeric v3 code for err (0 for nil).
func V3Code(err error) int {
	if err == nil {
		return 0
	}
	e := errs.From(err)
	if c, ok := v3CodeByErrCode[e.Code]; ok {
		return c
	}
	if errors.Is(e, errs.ErrInvalid) && e.Field == "" {
		return v3IllegalParamWithReasonOnly
	}
	if errors.Is(e, errs.ErrInvalid) {
		// An invalid parameter named with no reason beyond the default
		// message is 1241005; with a reason, 1241010.
		if e.Message == errs.ErrInvalid.Message || e.Message == "" {
			return v3IllegalParamWithName
		}
		return v3IllegalParamWithReason
	}
	if c, ok := v3CodeByStatus[e.Status]; ok {
		return c
	}
	return v3InternalError
}
