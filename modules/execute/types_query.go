package execute

import "github.com/bkjob/bkjob/platform/httpx"

// GetJobInstanceStatusRequest is get_job_instance_status.
type GetJobInstanceStatusRequest struct {
	JobRef
	ReturnIPResult bool `json:"return_ip_result,omitempty"`
}

// JobInstanceStatus is get_job_instance_status's data.
type JobInstanceStatus struct {
	Finished         bool               `json:"finished"`
	JobInstance      JobInstanceInfo    `json:"job_instance"`
	StepInstanceList []StepInstanceInfo `json:"step_instance_list"`
}

// JobInstanceInfo is a job instance's basics. Times are Unix milliseconds;
// end_time and total_time are left out while the job has not ended.
type JobInstanceInfo struct {
	JobInstanceID int64     `json:"job_instance_id"`
	ScopeType     string    `json:"bk_scope_type"`
	ScopeID       string    `json:"bk_scope_id"`
	Name          string    `json:"name"`
	Status        RunStatus `json:"status"`
	CreateTime    int64     `json:"create_time"`
	StartTime     int64     `json:"start_time"`
	EndTime       *int64    `json:"end_time,omitempty"`   // omitted until the job ends, as bk-job
	TotalTime     *int64    `json:"total_time,omitempty"` // omitted until the job ends
}

// StepInstanceInfo is one step in get_job_instance_status. With
// return_ip_result, a step that has not started lists its target hosts as
// waiting (5), as bk-job does.
type StepInstanceInfo struct {
	StepInstanceID   int64          `json:"step_instance_id"`
	Type             int            `json:"type"`
	Name             string         `json:"name"`
	Status           RunStatus      `json:"status"`
	CreateTime       int64          `json:"create_time"`
	StartTime        int64          `json:"start_time"`
	EndTime          *int64         `json:"end_time,omitempty"`   // omitted until the step ends, as bk-job
	TotalTime        *int64         `json:"total_time,omitempty"` // omitted until the step ends
	ExecuteCount     int            `json:"execute_count"`
	StepIPResultList []StepIPResult `json:"step_ip_result_list,omitempty"`
}

// StepIPResult is one host's result in get_job_instance_status.
type StepIPResult struct {
	HostID    int64  `json:"bk_host_id"`
	IP        string `json:"ip"`
	CloudID   int64  `json:"bk_cloud_id"`
	Status    int    `json:"status"`
	Tag       string `json:"tag"`
	ExitCode  int    `json:"exit_code"`
	ErrorCode int    `json:"error_code"`
	StartTime int64  `json:"start_time"`
	EndTime   int64  `json:"end_time"`
	TotalTime int64  `json:"total_time"`
}

// GetStepInstanceStatusRequest is get_step_instance_status. Nil pointers
// mean "not given".
type GetStepInstanceStatusRequest struct {
	StepRef
	ExecuteCount       *int   `json:"execute_count,omitempty"`
	Batch              *int   `json:"batch,omitempty"` // 0 or nil: every batch
	MaxHostNumPerGroup *int   `json:"max_host_num_per_group,omitempty"`
	Keyword            string `json:"keyword,omitempty"`
	SearchIP           string `json:"search_ip,omitempty"`
	Status             *int   `json:"status,omitempty"`
	Tag                string `json:"tag,omitempty"`
}

// StepInstanceStatus is get_step_instance_status's data.
type StepInstanceStatus struct {
	StepInstanceID      int64         `json:"step_instance_id"`
	ExecuteCount        int           `json:"execute_count"`
	Name                string        `json:"name"`
	Type                int           `json:"type"`
	Status              RunStatus     `json:"status"`
	CreateTime          int64         `json:"create_time"`
	StartTime           int64         `json:"start_time"`
	EndTime             int64         `json:"end_time"`
	TotalTime           int64         `json:"total_time"`
	CurrentBatch        int           `json:"current_batch,omitempty"` // bkjob: rolling steps only
	TotalBatch          int           `json:"total_batch,omitempty"`
	StepResultGroupList []ResultGroup `json:"step_result_group_list"`
}

// ResultGroup is hosts sharing (status, tag).
type ResultGroup struct {
	ResultType     int          `json:"result_type"`
	ResultTypeDesc string       `json:"result_type_desc"`
	Tag            string       `json:"tag"`
	HostSize       int          `json:"host_size"`
	HostResultList []HostResult `json:"host_result_list"`
}

// HostResult is one host in a result group.
type HostResult struct {
	HostID     int64   `json:"bk_host_id"`
	IP         string  `json:"ip"`
	IPv6       *string `json:"ipv6"`
	AgentID    *string `json:"bk_agent_id"`
	CloudID    int64   `json:"bk_cloud_id"`
	CloudName  string  `json:"bk_cloud_name"`
	Status     int     `json:"status"`
	StatusDesc string  `json:"status_desc"`
	Tag        string  `json:"tag"`
	ExitCode   int     `json:"exit_code"`
	ErrorCode  int     `json:"error_code"`
	StartTime  int64   `json:"start_time"`
	EndTime    int64   `json:"end_time"`
	TotalTime  int64   `json:"total_time"`
}

// StepInstanceDetail is get_step_instance_detail's data.
type StepInstanceDetail struct {
	ID           int64         `json:"id"`
	Name         string        `json:"name"`
	Type         int           `json:"type"`
	ScriptInfo   *ScriptInfo   `json:"script_info,omitempty"`
	FileInfo     *FileInfo     `json:"file_info,omitempty"`
	ApprovalInfo *ApprovalInfo `json:"approval_info,omitempty"`
}

// ScriptInfo describes a script step. ScriptParam is "******" when sensitive.
type ScriptInfo struct {
	ScriptType       int            `json:"script_type"` // 1 local, 2 business script, 3 public script
	ScriptID         string         `json:"script_id,omitempty"`
	ScriptVersionID  int64          `json:"script_version_id,omitempty"`
	ScriptContent    string         `json:"script_content"`
	ScriptLanguage   int            `json:"script_language"`
	ScriptParam      string         `json:"script_param"`
	ScriptTimeout    int            `json:"script_timeout"`
	Account          AccountInfo    `json:"account"`
	Server           ServerDetail   `json:"server"`
	IsParamSensitive int            `json:"is_param_sensitive"`
	IsIgnoreError    int            `json:"is_ignore_error"`
	Rolling          *RollingConfig `json:"rolling_config,omitempty"`
}

// AccountInfo names an account in responses.
type AccountInfo struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ServerDetail is a resolved target list.
type ServerDetail struct {
	Variable         string         `json:"variable,omitempty"`
	IPList           []HostDetail   `json:"ip_list"`
	TopoNodeList     []TopoNode     `json:"topo_node_list"`
	DynamicGroupList []DynamicGroup `json:"dynamic_group_list"`
}

// HostDetail is one resolved host.
type HostDetail struct {
	HostID    int64   `json:"bk_host_id"`
	CloudID   int64   `json:"bk_cloud_id"`
	CloudName string  `json:"bk_cloud_name"`
	IP        string  `json:"ip"`
	IPv6      *string `json:"ipv6"`
	AgentID   string  `json:"bk_agent_id"`
	Alive     int     `json:"alive"`
}

// FileInfo describes a file step.
type FileInfo struct {
	FileSourceList        []FileSourceDetail `json:"file_source_list"`
	FileDestination       FileDestination    `json:"file_destination"`
	Timeout               int                `json:"timeout"`
	SourceSpeedLimit      *int               `json:"source_speed_limit"`
	DestinationSpeedLimit *int               `json:"destination_speed_limit"`
	TransferMode          int                `json:"transfer_mode"`
	IsIgnoreError         int                `json:"is_ignore_error"`
	Rolling               *RollingConfig     `json:"rolling_config,omitempty"`
}

// FileSourceDetail is one source of a file step.
type FileSourceDetail struct {
	FileType     int          `json:"file_type"`
	FileList     []string     `json:"file_list"`
	Server       ServerDetail `json:"server"`
	Account      AccountInfo  `json:"account"`
	FileSourceID int64        `json:"file_source_id,omitempty"`
}

// FileDestination is where a file step writes.
type FileDestination struct {
	Path    string       `json:"path"`
	Account AccountInfo  `json:"account"`
	Server  ServerDetail `json:"server"`
}

// ApprovalInfo describes a manual confirmation step.
type ApprovalInfo struct {
	ApprovalMessage string `json:"approval_message"`
}

// GetJobInstanceListRequest is get_job_instance_list. Times are Unix ms.
type GetJobInstanceListRequest struct {
	ScopeRef
	Caller          `json:"caller" web:"-"` // the door fills it (TakeActor)
	CreateTimeStart int64                   `json:"create_time_start"`
	CreateTimeEnd   int64                   `json:"create_time_end"`
	JobInstanceID   int64                   `json:"job_instance_id,omitempty"`
	JobCronID       int64                   `json:"job_cron_id,omitempty"`
	Operator        string                  `json:"operator,omitempty"`
	Name            string                  `json:"name,omitempty"`
	LaunchMode      *int                    `json:"launch_mode,omitempty"`
	Type            *int                    `json:"type,omitempty"`
	Status          *int                    `json:"status,omitempty"`
	IP              string                  `json:"ip,omitempty"`
	Start           int                     `json:"start,omitempty"`
	Length          *int                    `json:"length,omitempty"`
}

// JobInstancePage is get_job_instance_list's data.
type JobInstancePage = httpx.V3Page[JobInstanceSummary]

// JobInstanceSummary is one row of get_job_instance_list.
type JobInstanceSummary struct {
	ScopeType     string    `json:"bk_scope_type"`
	ScopeID       string    `json:"bk_scope_id"`
	ID            int64     `json:"id"`
	JobTemplateID int64     `json:"job_template_id,omitempty"`
	JobPlanID     int64     `json:"job_plan_id,omitempty"`
	Name          string    `json:"name"`
	Operator      string    `json:"operator"`
	CreateTime    int64     `json:"create_time"`
	Status        RunStatus `json:"status"`
	Type          int       `json:"type"`
	LaunchMode    int       `json:"launch_mode"`
	StartTime     int64     `json:"start_time"`
	EndTime       int64     `json:"end_time"`
	TotalTime     int64     `json:"total_time"`
}

// JobGlobalVarValues is get_job_instance_global_var_value's data.
type JobGlobalVarValues struct {
	JobInstanceID       int64             `json:"job_instance_id"`
	StepInstanceVarList []StepInstanceVar `json:"step_instance_var_list"`
}

// StepInstanceVar is the global variables of one step instance.
type StepInstanceVar struct {
	StepInstanceID int64       `json:"step_instance_id"`
	GlobalVarList  []GlobalVar `json:"global_var_list"`
}

// GlobalVar is one variable value.
type GlobalVar struct {
	ID     int64   `json:"id,omitempty"`
	Name   string  `json:"name"`
	Value  string  `json:"value"`
	Type   int     `json:"type,omitempty"`
	Server *Server `json:"server,omitempty"`
}

// OperateJobInstanceRequest is operate_job_instance.
type OperateJobInstanceRequest struct {
	JobRef
	OperationCode int `json:"operation_code"`
}

// OperateJobResult is operate_job_instance's data.
type OperateJobResult struct {
	JobInstanceID int64 `json:"job_instance_id"`
}

// OperateStepInstanceRequest is operate_step_instance.
type OperateStepInstanceRequest struct {
	StepRef
	OperationCode int    `json:"operation_code"`
	Reason        string `json:"confirm_reason,omitempty"`
}

// OperateStepResult is operate_step_instance's data.
type OperateStepResult struct {
	JobInstanceID  int64 `json:"job_instance_id"`
	StepInstanceID int64 `json:"step_instance_id"`
}

// QueryAgentInfoRequest is query_agent_info.
type QueryAgentInfoRequest struct {
	ScopeRef
	Caller     `json:"caller" web:"-"` // the door fills it (TakeActor)
	HostIDList []int64                 `json:"host_id_list"`
}

// AgentInfoList is query_agent_info's data.
type AgentInfoList struct {
	AgentInfoList []AgentInfo `json:"agent_info_list"`
}

// AgentInfo is one host's agent status: 1 normal, 0 abnormal.
type AgentInfo struct {
	HostID  int64  `json:"bk_host_id"`
	Status  int    `json:"status"`
	Version string `json:"version"`
}

// MaxOperationLogEntries bounds get_job_instance_operation_log's list: the
// newest entries of a job operated on more often than this.
const MaxOperationLogEntries = 500

// JobOperationLog is get_job_instance_operation_log's data: the job's
// operations, newest first.
type JobOperationLog struct {
	JobInstanceID    int64          `json:"job_instance_id"`
	OperationLogList []OperationLog `json:"operation_log_list"`
}

// OperationLog is one user operation on a job (bk-job operation_log): its
// code is one of the Op* values (UserOperationEnum); a step operation names
// the step and the step's execute count when it was done.
type OperationLog struct {
	ID             int64  `json:"id"`
	OperationCode  int    `json:"operation_code"`
	Operator       string `json:"operator"`
	AppCode        string `json:"app_code,omitempty"`
	StepInstanceID int64  `json:"step_instance_id,omitempty"`
	ExecuteCount   int    `json:"execute_count"`
	CreateTime     int64  `json:"create_time"`
}
