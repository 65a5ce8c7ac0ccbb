package execute

// GetHostLogRequest is get_job_instance_ip_log: one host by host_id, or by
// bk_cloud_id + ip. ExecuteCount and Batch are bkjob extensions (default:
// the step's latest execute count, every batch).
type GetHostLogRequest struct {
	StepRef
	HostID       int64  `json:"host_id,omitempty"`
	CloudID      int64  `json:"bk_cloud_id,omitempty"`
	IP           string `json:"ip,omitempty"`
	ExecuteCount *int   `json:"execute_count,omitempty"`
}

// HostLog is get_job_instance_ip_log's data.
type HostLog struct {
	HostID     int64     `json:"bk_host_id"`
	CloudID    int64     `json:"bk_cloud_id"`
	IP         string    `json:"ip"`
	LogType    int       `json:"log_type"`
	LogContent string    `json:"log_content,omitempty"`
	FileLogs   []FileLog `json:"file_logs,omitempty"`
}

// FileLog is one file's log on one host.
type FileLog struct {
	Mode       int    `json:"mode"` // 0 upload, 1 download
	SrcIP      *LogIP `json:"src_ip,omitempty"`
	SrcPath    string `json:"src_path"`
	DestIP     *LogIP `json:"dest_ip,omitempty"`
	DestPath   string `json:"dest_path,omitempty"`
	Status     int    `json:"status"`
	LogContent string `json:"log_content"`
	Size       string `json:"size,omitempty"`
	Speed      string `json:"speed,omitempty"`
	Process    string `json:"process,omitempty"`
}

// LogIP names a host in a file log.
type LogIP struct {
	HostID  int64  `json:"bk_host_id"`
	CloudID int64  `json:"bk_cloud_id"`
	IP      string `json:"ip"`
}

// BatchGetHostLogsRequest is batch_get_job_instance_ip_log (≤ 500 hosts).
// When host_id_list is given, ip_list is ignored.
type BatchGetHostLogsRequest struct {
	StepRef
	HostIDList   []int64 `json:"host_id_list,omitempty"`
	IPList       []IP    `json:"ip_list,omitempty"`
	ExecuteCount *int    `json:"execute_count,omitempty"`
}

// BatchHostLogs is batch_get_job_instance_ip_log's data.
type BatchHostLogs struct {
	JobInstanceID  int64           `json:"job_instance_id"`
	StepInstanceID int64           `json:"step_instance_id"`
	LogType        int             `json:"log_type"`
	ScriptTaskLogs []ScriptTaskLog `json:"script_task_logs,omitempty"`
	FileTaskLogs   []FileTaskLog   `json:"file_task_logs,omitempty"`
}

// ScriptTaskLog is one host's script output.
type ScriptTaskLog struct {
	HostID     int64   `json:"bk_host_id"`
	CloudID    int64   `json:"bk_cloud_id"`
	IP         string  `json:"ip"`
	IPv6       *string `json:"ipv6"`
	LogContent string  `json:"log_content"`
}

// FileTaskLog is one host's file logs.
type FileTaskLog struct {
	HostID   int64     `json:"bk_host_id"`
	CloudID  int64     `json:"bk_cloud_id"`
	IP       string    `json:"ip"`
	FileLogs []FileLog `json:"file_logs"`
}
