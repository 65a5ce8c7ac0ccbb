package execute

// FastExecuteScriptRequest is fast_execute_script. Priority of the script
// source: script_version_id > script_id > script_content.
type FastExecuteScriptRequest struct {
	ScopeRef
	Caller             `json:"caller" web:"-"` // the door fills it (TakeActor)
	ScriptVersionID    int64                   `json:"script_version_id,omitempty"`
	ScriptID           string                  `json:"script_id,omitempty"`
	ScriptContent      string                  `json:"script_content,omitempty"` // base64
	ScriptLanguage     int                     `json:"script_language,omitempty"`
	ScriptParam        string                  `json:"script_param,omitempty"` // base64
	IsParamSensitive   int                     `json:"is_param_sensitive,omitempty"`
	Timeout            *int                    `json:"timeout,omitempty"` // seconds; nil = 7200
	AccountID          int64                   `json:"account_id,omitempty"`
	AccountAlias       string                  `json:"account_alias,omitempty"`
	TargetServer       *Server                 `json:"target_server,omitempty"`
	TaskName           string                  `json:"task_name,omitempty"`
	CallbackURL        string                  `json:"callback_url,omitempty"`
	RollingConfig      *RollingConfig          `json:"rolling_config,omitempty"`
	WindowsInterpreter string                  `json:"windows_interpreter,omitempty"`
	HostPasswordList   []HostPassword          `json:"host_password_list,omitempty"`
	// IgnoreError is not an API parameter of fast_execute_script; plans and
	// the web UI set it.
	IgnoreError bool `json:"is_ignore_error,omitempty"`
}

// FileSourceSpec is one entry of fast_transfer_file's file_source_list.
type FileSourceSpec struct {
	FileList       []string    `json:"file_list"`
	Account        *AccountRef `json:"account,omitempty"`
	Server         *Server     `json:"server,omitempty"`
	FileType       int         `json:"file_type,omitempty"` // 1 server (default) | 3 file source
	FileSourceID   int64       `json:"file_source_id,omitempty"`
	FileSourceCode string      `json:"file_source_code,omitempty"`
}

// FastTransferFileRequest is fast_transfer_file.
type FastTransferFileRequest struct {
	ScopeRef
	Caller             `json:"caller" web:"-"` // the door fills it (TakeActor)
	TaskName           string                  `json:"task_name,omitempty"`
	AccountID          int64                   `json:"account_id,omitempty"`
	AccountAlias       string                  `json:"account_alias,omitempty"`
	FileTargetPath     string                  `json:"file_target_path"`
	FileSourceList     []FileSourceSpec        `json:"file_source_list"`
	Timeout            *int                    `json:"timeout,omitempty"`
	DownloadSpeedLimit int                     `json:"download_speed_limit,omitempty"` // MB/s
	UploadSpeedLimit   int                     `json:"upload_speed_limit,omitempty"`   // MB/s
	TransferMode       int                     `json:"transfer_mode,omitempty"`        // 1 strict | 2 force (default)
	TargetServer       *Server                 `json:"target_server,omitempty"`
	CallbackURL        string                  `json:"callback_url,omitempty"`
	RollingConfig      *RollingConfig          `json:"rolling_config,omitempty"`
	IgnoreError        bool                    `json:"is_ignore_error,omitempty"`
}

// ConfigFile is one file of push_config_file.
type ConfigFile struct {
	FileName string `json:"file_name"`
	Content  string `json:"content"` // base64
}

// PushConfigFileRequest is push_config_file.
type PushConfigFileRequest struct {
	ScopeRef
	Caller         `json:"caller" web:"-"` // the door fills it (TakeActor)
	TaskName       string                  `json:"task_name,omitempty"`
	AccountAlias   string                  `json:"account_alias"`
	AccountID      int64                   `json:"account_id,omitempty"` // bkjob extension; alias is what bk-job documents
	FileTargetPath string                  `json:"file_target_path"`
	FileList       []ConfigFile            `json:"file_list"`
	TargetServer   *Server                 `json:"target_server,omitempty"`
	Timeout        *int                    `json:"timeout,omitempty"` // bkjob extension
	CallbackURL    string                  `json:"callback_url,omitempty"`
}

// RollingPreviewRequest asks for the batch plan of a rolling expression over
// targets. TargetServer is optional: without it TotalHosts says how many
// targets to plan for.
type RollingPreviewRequest struct {
	ScopeRef
	Caller       `json:"caller" web:"-"` // the door fills it (TakeActor)
	Expression   string                  `json:"expression"`
	TargetServer *Server                 `json:"target_server,omitempty"`
	TotalHosts   int                     `json:"total_hosts,omitempty"`
}

// RollingPlan is the batch plan of a rolling expression.
type RollingPlan struct {
	Expression string         `json:"expression"`
	TotalHosts int            `json:"total_hosts"`
	Batches    []RollingBatch `json:"batches"`
}

// RollingBatch is one batch of a plan; Batch counts from 1.
type RollingBatch struct {
	Batch     int        `json:"batch"`
	HostCount int        `json:"host_count"`
	Hosts     []HostInfo `json:"hosts,omitempty"`
}

// HostInfo names a host in responses.
type HostInfo struct {
	HostID  int64  `json:"bk_host_id"`
	CloudID int64  `json:"bk_cloud_id"`
	IP      string `json:"ip"`
}
