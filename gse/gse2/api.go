package gse2

import "encoding/json"

// API paths under the gateway URL.
const (
	PathExecuteScript      = "/api/v2/task/extensions/async_execute_script"
	PathScriptResult       = "/api/v2/task/extensions/get_execute_script_result"
	PathTransferFile       = "/api/v2/task/extensions/async_transfer_file"
	PathTransferResult     = "/api/v2/task/extensions/get_transfer_file_result"
	PathTerminateScript    = "/api/v2/task/extensions/async_terminate_execute_script"
	PathTerminateTransfer  = "/api/v2/task/extensions/async_terminate_transfer_file"
	PathListAgentState     = "/api/v2/cluster/list_agent_state"
	HeaderAuthorization    = "X-Bkapi-Authorization"
	HeaderTenant           = "X-Bk-Tenant-Id"
	defaultTenant          = "default"
	maxAgentStateBatchSize = 5000
)

// Envelope is the gateway's response wrapper.
type Envelope struct {
	Result  bool            `json:"result"`
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// Auth is the X-Bkapi-Authorization header's JSON.
type Auth struct {
	AppCode   string `json:"bk_app_code"`
	AppSecret string `json:"bk_app_secret"`
}

// Agent names one agent and the account to act as.
type Agent struct {
	AgentID     string `json:"bk_agent_id"`
	ContainerID string `json:"bk_container_id"`
	User        string `json:"user,omitempty"`
	Password    string `json:"pwd,omitempty"`
}

// Script is one script file GSE writes before running atomic tasks.
type Script struct {
	Name     string `json:"script_name"`
	StoreDir string `json:"script_store_dir"`
	Content  string `json:"script_content"`
}

// AtomicTask is one command of a script task.
type AtomicTask struct {
	ID             int    `json:"atomic_task_id"`
	Command        string `json:"command"`
	Description    string `json:"description,omitempty"`
	TimeoutSeconds int    `json:"timeout_seconds"`
}

// AtomicRelation says which atomic tasks one depends on.
type AtomicRelation struct {
	ID      int   `json:"atomic_task_id"`
	Depends []int `json:"atomic_task_id_idx"`
}

// ExecuteScriptRequest is async_execute_script's body.
type ExecuteScriptRequest struct {
	Agents             []Agent          `json:"agents"`
	Scripts            []Script         `json:"scripts"`
	AtomicTasks        []AtomicTask     `json:"atomic_tasks"`
	AtomicRelations    []AtomicRelation `json:"atomic_tasks_relations"`
	WindowsInterpreter string           `json:"windows_interpreter,omitempty"`
}

// TaskIDData is the data of the async_* calls: data.result.task_id.
type TaskIDData struct {
	Result struct {
		TaskID string `json:"task_id"`
	} `json:"result"`
}

// AtomicQuery asks for one atomic task's log from Offset, at most Limit bytes.
type AtomicQuery struct {
	ID     int   `json:"atomic_task_id"`
	Offset int64 `json:"offset"`
	Limit  int64 `json:"limit"`
}

// AgentTaskQuery is one agent's part of a script result query.
type AgentTaskQuery struct {
	AgentID     string        `json:"bk_agent_id"`
	ContainerID string        `json:"bk_container_id"`
	AtomicTasks []AtomicQuery `json:"atomic_tasks"`
}

// ScriptResultRequest is get_execute_script_result's body.
type ScriptResultRequest struct {
	TaskID     string           `json:"task_id"`
	AgentTasks []AgentTaskQuery `json:"agent_tasks"`
}

// ScriptResult is one agent's atomic task result; Screen is the log from
// the requested offset.
type ScriptResult struct {
	AgentID     string `json:"bk_agent_id"`
	ContainerID string `json:"bk_container_id"`
	AtomicID    int    `json:"atomic_task_id"`
	Status      int    `json:"status"`
	ErrorCode   int    `json:"error_code"`
	ErrorMsg    string `json:"error_msg"`
	StartTime   int64  `json:"start_time"`
	EndTime     int64  `json:"end_time"`
	ExitCode    int    `json:"script_exit_code"`
	Tag         string `json:"tag"`
	Screen      string `json:"screen"`
}

// ScriptResultData is get_execute_script_result's data.
type ScriptResultData struct {
	Result []ScriptResult `json:"result"`
}

// FileEnd is the source or target side of a transfer.
type FileEnd struct {
	FileName   string  `json:"file_name"`
	StoreDir   string  `json:"store_dir"`
	Agent      *Agent  `json:"agent,omitempty"`  // source
	Agents     []Agent `json:"agents,omitempty"` // target
	Owner      string  `json:"owner,omitempty"`
	Permission int     `json:"permission,omitempty"`
}

// TransferTask is one source to a set of targets.
type TransferTask struct {
	Source FileEnd `json:"source"`
	Target FileEnd `json:"target"`
}

// TransferFileRequest is async_transfer_file's body. Speeds are MB/s, 0 = no limit.
type TransferFileRequest struct {
	Tasks          []TransferTask `json:"tasks"`
	TimeoutSeconds int            `json:"timeout_seconds"`
	AutoMkdir      bool           `json:"auto_mkdir"`
	UploadSpeed    int            `json:"upload_speed"`
	DownloadSpeed  int            `json:"download_speed"`
}

// TaskAgentsRequest is the body of get_transfer_file_result and of both
// terminate calls.
type TaskAgentsRequest struct {
	TaskID string  `json:"task_id"`
	Agents []Agent `json:"agents"`
}

// FileContent is one file on one side of a transfer.
type FileContent struct {
	Mode              int    `json:"mode"` // 0 upload (source side), 1 download (target side)
	SourceAgentID     string `json:"source_agent_id"`
	SourceContainerID string `json:"source_container_id"`
	SourceFileDir     string `json:"source_file_dir"`
	SourceFileName    string `json:"source_file_name"`
	DestAgentID       string `json:"dest_agent_id"`
	DestContainerID   string `json:"dest_container_id"`
	DestFileDir       string `json:"dest_file_dir"`
	DestFileName      string `json:"dest_file_name"`
	Progress          int    `json:"progress"`
	Speed             int64  `json:"speed"` // KB/s
	Size              int64  `json:"size"`
	Status            int    `json:"status"`
	StatusInfo        string `json:"status_info"`
	StartTime         int64  `json:"start_time"`
	EndTime           int64  `json:"end_time"`
}

// FileResult is one entry of get_transfer_file_result.
type FileResult struct {
	ErrorCode int         `json:"error_code"`
	ErrorMsg  string      `json:"error_msg"`
	Content   FileContent `json:"content"`
}

// FileResultData is get_transfer_file_result's data.
type FileResultData struct {
	Result []FileResult `json:"result"`
}

// ListAgentStateRequest is list_agent_state's body.
type ListAgentStateRequest struct {
	AgentIDs []string `json:"agent_id_list"`
}

// AgentStateInfo is one entry of list_agent_state's data.
type AgentStateInfo struct {
	AgentID    string `json:"bk_agent_id"`
	CloudID    int64  `json:"bk_cloud_id"`
	Version    string `json:"version"`
	RunMode    int    `json:"run_mode"`
	StatusCode int    `json:"status_code"`
}
