package execute

//go:generate go run github.com/bkjob/bkjob/platform/api/apigen -contract Service

import (
	"context"

	"github.com/bkjob/bkjob/modules/logsvr"
)

// Service is what other roles (gateway, crontab, the CLI) call on execute.
// It is the declaration of every execute method: `go generate` writes the
// bus client, the bus handlers, the v3 and the web API routes from it
// (api_gen.go); an //api:v3 line puts a method on bk-job's OpenAPI v3, an
// //api:web line on the web API (platform/api/apigen).
// Every request carries the caller and the scope; every state-changing call
// goes through this one interface, so a permission check and an audit record
// can wrap it later.
type Service interface {
	// FastExecuteScript creates a one-step script job and starts it.
	//api:v3 fast_execute_script post jobbody
	//api:web
	//api:partly host_password_list, CMDB dynamic groups and topology nodes, rolling by source files
	FastExecuteScript(ctx context.Context, req FastExecuteScriptRequest) (JobCreated, error)
	// FastTransferFile creates a one-step file job and starts it.
	//api:v3 fast_transfer_file post jobbody
	//api:web
	//api:partly third-party file sources (issue 14), wildcard and REGEX: source paths, CMDB dynamic groups and topology nodes, rolling by source files
	FastTransferFile(ctx context.Context, req FastTransferFileRequest) (JobCreated, error)
	// PushConfigFile writes base64 contents as files on the targets.
	//api:v3 push_config_file post jobbody
	//api:web
	//api:partly CMDB dynamic groups and topology nodes
	PushConfigFile(ctx context.Context, req PushConfigFileRequest) (JobCreated, error)

	// GetJobInstanceStatus returns the job, its steps and (optionally) their hosts.
	//api:v3 get_job_instance_status
	//api:web
	GetJobInstanceStatus(ctx context.Context, req GetJobInstanceStatusRequest) (JobInstanceStatus, error)
	// GetStepInstanceStatus returns the step and its hosts grouped by (status, tag).
	//api:v3 get_step_instance_status
	//api:web
	GetStepInstanceStatus(ctx context.Context, req GetStepInstanceStatusRequest) (StepInstanceStatus, error)
	// ListStepInstanceHosts pages through one result group's hosts (the
	// task page at 10,000 hosts: counts come from get_step_instance_status
	// with a small max_host_num_per_group, hosts a page at a time).
	//api:v3 list_step_instance_hosts extension
	//api:web
	ListStepInstanceHosts(ctx context.Context, req ListStepInstanceHostsRequest) (StepHostPage, error)
	// GetStepInstanceDetail returns what a step was asked to do.
	//api:v3 get_step_instance_detail
	//api:web
	GetStepInstanceDetail(ctx context.Context, req StepRef) (StepInstanceDetail, error)
	// GetJobInstanceList pages through a business's job instances.
	//api:v3 get_job_instance_list
	//api:web
	GetJobInstanceList(ctx context.Context, req GetJobInstanceListRequest) (JobInstancePage, error)
	// GetJobInstanceGlobalVarValue returns the global variables' values per step.
	//api:v3 get_job_instance_global_var_value
	//api:web
	GetJobInstanceGlobalVarValue(ctx context.Context, req JobRef) (JobGlobalVarValues, error)

	// GetJobInstanceOperationLog lists who operated on a job and when
	// (bk-job's web "operation records"; its v3 API has no such endpoint).
	//api:v3 get_job_instance_operation_log extension
	//api:web
	GetJobInstanceOperationLog(ctx context.Context, req JobRef) (JobOperationLog, error)

	// OperateJobInstance stops a job (bk-job's operation codes).
	//api:v3 operate_job_instance post
	//api:web
	//api:partly operation 2 (start a created job: jobs start when created)
	OperateJobInstance(ctx context.Context, req OperateJobInstanceRequest) (OperateJobResult, error)
	// OperateStepInstance retries, skips, ignores or confirms a step.
	//api:v3 operate_step_instance post
	//api:web
	//api:partly legacy operation codes (use 12 to skip)
	OperateStepInstance(ctx context.Context, req OperateStepInstanceRequest) (OperateStepResult, error)

	// GetHostLog returns one host's script output or file log of a step.
	//api:v3 get_job_instance_ip_log
	//api:web
	GetHostLog(ctx context.Context, req GetHostLogRequest) (HostLog, error)
	// BatchGetHostLogs returns the logs of up to 500 hosts of a step.
	//api:v3 batch_get_job_instance_ip_log post
	//api:web
	BatchGetHostLogs(ctx context.Context, req BatchGetHostLogsRequest) (BatchHostLogs, error)
	// LogTarget says where the log of a step run (or of one host in it)
	// lives in logsvr and whether more of it can come; the web log stream
	// and export use it through LogLookup.
	LogTarget(ctx context.Context, req LogTargetRequest) (logsvr.StepState, error)

	// RollingPreview validates a rolling expression and returns the batch plan.
	//api:v3 rolling_preview extension
	//api:web
	RollingPreview(ctx context.Context, req RollingPreviewRequest) (RollingPlan, error)
	// QueryAgentInfo reports agent liveness through the transport.
	//api:v3 query_agent_info post
	//api:web
	QueryAgentInfo(ctx context.Context, req QueryAgentInfoRequest) (AgentInfoList, error)
}
