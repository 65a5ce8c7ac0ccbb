package execute

import (
	"context"

	"github.com/bkjob/bkjob/modules/logsvr"
)

// Service is what other roles (gateway, crontab, the CLI) call on execute.
// Every request carries the caller and the scope; every state-changing call
// goes through this one interface, so a permission check and an audit record
// can wrap it later.
type Service interface {
	// FastExecuteScript creates a one-step script job and starts it.
	FastExecuteScript(ctx context.Context, req FastExecuteScriptRequest) (JobCreated, error)
	// FastTransferFile creates a one-step file job and starts it.
	FastTransferFile(ctx context.Context, req FastTransferFileRequest) (JobCreated, error)
	// PushConfigFile writes base64 contents as files on the targets.
	PushConfigFile(ctx context.Context, req PushConfigFileRequest) (JobCreated, error)

	GetJobInstanceStatus(ctx context.Context, req GetJobInstanceStatusRequest) (JobInstanceStatus, error)
	// GetStepInstanceStatus returns the step and its hosts grouped by (status, tag).
	GetStepInstanceStatus(ctx context.Context, req GetStepInstanceStatusRequest) (StepInstanceStatus, error)
	GetStepInstanceDetail(ctx context.Context, req StepRef) (StepInstanceDetail, error)
	GetJobInstanceList(ctx context.Context, req GetJobInstanceListRequest) (JobInstancePage, error)
	GetJobInstanceGlobalVarValue(ctx context.Context, req JobRef) (JobGlobalVarValues, error)

	OperateJobInstance(ctx context.Context, req OperateJobInstanceRequest) (OperateJobResult, error)
	OperateStepInstance(ctx context.Context, req OperateStepInstanceRequest) (OperateStepResult, error)

	GetHostLog(ctx context.Context, req GetHostLogRequest) (HostLog, error)
	BatchGetHostLogs(ctx context.Context, req BatchGetHostLogsRequest) (BatchHostLogs, error)
	// LogTarget says where the log of a step run (or of one host in it)
	// lives in logsvr and whether more of it can come; the web log stream
	// and export use it through LogLookup.
	LogTarget(ctx context.Context, req LogTargetRequest) (logsvr.StepState, error)

	// RollingPreview validates a rolling expression and returns the batch plan.
	RollingPreview(ctx context.Context, req RollingPreviewRequest) (RollingPlan, error)
	// QueryAgentInfo reports agent liveness through the transport.
	QueryAgentInfo(ctx context.Context, req QueryAgentInfoRequest) (AgentInfoList, error)
}

// Bus method names for the remote client.
const (
	MethodFastExecuteScript            = "execute.FastExecuteScript"
	MethodFastTransferFile             = "execute.FastTransferFile"
	MethodPushConfigFile               = "execute.PushConfigFile"
	MethodGetJobInstanceStatus         = "execute.GetJobInstanceStatus"
	MethodGetStepInstanceStatus        = "execute.GetStepInstanceStatus"
	MethodGetStepInstanceDetail        = "execute.GetStepInstanceDetail"
	MethodGetJobInstanceList           = "execute.GetJobInstanceList"
	MethodGetJobInstanceGlobalVarValue = "execute.GetJobInstanceGlobalVarValue"
	MethodOperateJobInstance           = "execute.OperateJobInstance"
	MethodOperateStepInstance          = "execute.OperateStepInstance"
	MethodGetHostLog                   = "execute.GetHostLog"
	MethodBatchGetHostLogs             = "execute.BatchGetHostLogs"
	MethodLogTarget                    = "execute.LogTarget"
	MethodRollingPreview               = "execute.RollingPreview"
	MethodQueryAgentInfo               = "execute.QueryAgentInfo"
)
