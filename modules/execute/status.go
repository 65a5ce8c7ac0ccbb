package execute

// RunStatus is the status of a task instance or a step instance (bk-job
// RunStatusEnum). 12 is documented as "force-termination failed" but bk-job's
// code never sets it; neither does bkjob.
type RunStatus int

// The run statuses, numbered as bk-job numbers them on the wire.
const (
	StatusBlank          RunStatus = 1  // waiting to run
	StatusRunning        RunStatus = 2  //
	StatusSuccess        RunStatus = 3  //
	StatusFail           RunStatus = 4  //
	StatusSkipped        RunStatus = 5  //
	StatusIgnoreError    RunStatus = 6  //
	StatusWaitingUser    RunStatus = 7  // manual confirmation or manual rolling
	StatusTerminated     RunStatus = 8  // manually ended
	StatusAbnormal       RunStatus = 9  // abnormal state
	StatusStopping       RunStatus = 10 // force-terminating
	StatusStopSuccess    RunStatus = 11 // force-terminated
	StatusStopFailed     RunStatus = 12 // documented only
	StatusConfirmStopped RunStatus = 13 // confirmation terminated
	StatusAbandoned      RunStatus = 14 // evicted
	StatusRollingWaiting RunStatus = 15 // between rolling batches
)

// Finished reports whether s is terminal (3,4,5,6,8,9,11,13,14). A FAIL job
// can still be resumed by retry or ignore-error.
func (s RunStatus) Finished() bool {
	switch s {
	case StatusSuccess, StatusFail, StatusSkipped, StatusIgnoreError, StatusTerminated,
		StatusAbnormal, StatusStopSuccess, StatusConfirmStopped, StatusAbandoned:
		return true
	}
	return false
}

// Valid reports whether s is a known status.
func (s RunStatus) Valid() bool { return s >= StatusBlank && s <= StatusRollingWaiting }

func (s RunStatus) String() string {
	switch s {
	case StatusBlank:
		return "blank"
	case StatusRunning:
		return "running"
	case StatusSuccess:
		return "success"
	case StatusFail:
		return "fail"
	case StatusSkipped:
		return "skipped"
	case StatusIgnoreError:
		return "ignore_error"
	case StatusWaitingUser:
		return "waiting_user"
	case StatusTerminated:
		return "terminated"
	case StatusAbnormal:
		return "abnormal_state"
	case StatusStopping:
		return "stopping"
	case StatusStopSuccess:
		return "stop_success"
	case StatusStopFailed:
		return "stop_failed"
	case StatusConfirmStopped:
		return "confirm_terminated"
	case StatusAbandoned:
		return "abandoned"
	case StatusRollingWaiting:
		return "rolling_waiting"
	}
	return "unknown"
}

// Step types (bk-job StepExecuteTypeEnum).
const (
	StepTypeScript  = 1
	StepTypeFile    = 2
	StepTypeConfirm = 3
	StepTypeSQL     = 4
)

// Task types (task_instance.type).
const (
	TaskTypeJob        = 0
	TaskTypeFastScript = 1
	TaskTypeFastFile   = 2
)

// Startup modes (launch_mode).
const (
	StartupWeb  = 1
	StartupAPI  = 2
	StartupCron = 3
)

// Job operation codes (operate_job_instance).
const (
	JobOpTerminate = 1
	JobOpStart     = 2
)

// Step operation codes (operate_step_instance, bk-job StepOperationEnum).
const (
	StepOpRetryFail        = 2
	StepOpIgnoreError      = 3
	StepOpLegacyExecute    = 4
	StepOpLegacySkip       = 5
	StepOpConfirmContinue  = 6
	StepOpRetryAll         = 8
	StepOpConfirmTerminate = 9
	StepOpConfirmRestart   = 10
	StepOpNextStep         = 11
	StepOpSkip             = 12
	StepOpRollingContinue  = 13
)

// User operations recorded in operation_log (bk-job UserOperationEnum).
const (
	OpRetryStepFail    = 1
	OpIgnoreError      = 2
	OpSkipStep         = 3
	OpTerminateJob     = 4
	OpRetryStepAll     = 5
	OpStart            = 6
	OpConfirmContinue  = 7
	OpConfirmTerminate = 8
	OpNextStep         = 9
	OpConfirmRestart   = 10
	OpCreateJob        = 11
	OpRollingContinue  = 12 // bkjob: bk-job folds this into CONFIRM_CONTINUE
)

// Rolling modes (rolling_config.mode).
const (
	RollingPauseOnFailure = 1
	RollingIgnoreFailure  = 2
	RollingManual         = 3
)

// Rolling object types (rolling_config.type).
const (
	RollingTypeTarget     = 1
	RollingTypeFileSource = 2
)

// File source types (file_source.file_type).
const (
	FileTypeServer     = 1
	FileTypeLocal      = 2
	FileTypeFileSource = 3
	FileTypeBase64     = 4
)

// Log types.
const (
	LogTypeScript = 1
	LogTypeFile   = 2
)

// Limits from bk-job (bkjob.md §8).
const (
	DefaultTimeoutSeconds  = 7200
	MinTimeoutSeconds      = 1
	MaxTimeoutSeconds      = 259200
	MaxTargetsPerStep      = 50000
	MaxFileTasksPerStep    = 100000
	MaxRollingBatches      = 500
	MaxTaskNameLength      = 512
	MaxScriptParamBytes    = 64 * 1024 // plain, before base64
	MaxSensitiveParamBytes = 47 * 1024
	MaxScriptContentBytes  = 5 * 1024 * 1024
	MaxWindowsInterpreter  = 260
	MaxCallbackURLLength   = 1024
	MaxTagLength           = 256
	MaxBatchLogHosts       = 500
	MaxAgentInfoHosts      = 5000
	MaxPageLength          = 1000
	DefaultPageLength      = 20
	MaxConfigFileBytes     = 5 * 1024 * 1024
)
