package execute

import "github.com/bkjob/bkjob/platform/api"

// ScopeRef is the scope a request acts in: bk_scope_type + bk_scope_id, or
// the deprecated bk_biz_id. The door resolves it once (api.ScopeRef.Resolved).
type ScopeRef = api.ScopeRef

// Caller is who makes a request. Set by the server (gateway, CLI, crontab)
// from the authenticated actor, never from the request body.
type Caller struct {
	Username    string `json:"username"`
	AppCode     string `json:"app_code,omitempty"`
	StartupMode int    `json:"startup_mode,omitempty"` // StartupWeb | StartupAPI | StartupCron
}

// TakeActor records the authenticated caller; the door calls it.
func (c *Caller) TakeActor(username, appCode string, surface api.Surface) {
	mode := StartupAPI
	if surface == api.SurfaceWeb {
		mode = StartupWeb
	}
	*c = Caller{Username: username, AppCode: appCode, StartupMode: mode}
}

// IP is a host named by cloud area and IPv4 (API "ip" definition).
type IP struct {
	CloudID int64  `json:"bk_cloud_id"`
	IP      string `json:"ip"`
}

// DynamicGroup is a CMDB dynamic group (not supported yet).
type DynamicGroup struct {
	ID string `json:"id"`
}

// TopoNode is a CMDB topology node (not supported yet).
type TopoNode struct {
	ID       int64  `json:"id"`
	NodeType string `json:"node_type"`
}

// Server is an execute target spec (API "server" definition).
type Server struct {
	HostIDList       []int64        `json:"host_id_list,omitempty"`
	IPList           []IP           `json:"ip_list,omitempty"`
	DynamicGroupList []DynamicGroup `json:"dynamic_group_list,omitempty"`
	TopoNodeList     []TopoNode     `json:"topo_node_list,omitempty"`
}

// Empty reports whether s names no target at all.
func (s *Server) Empty() bool {
	return s == nil || (len(s.HostIDList) == 0 && len(s.IPList) == 0 &&
		len(s.DynamicGroupList) == 0 && len(s.TopoNodeList) == 0)
}

// AccountRef names an account by id or alias; id wins when both are set.
type AccountRef struct {
	ID    int64  `json:"id,omitempty"`
	Alias string `json:"alias,omitempty"`
}

// RollingConfig is a step's rolling execution (API rolling_config).
type RollingConfig struct {
	Type       int                      `json:"type,omitempty"` // RollingTypeTarget (default) | RollingTypeFileSource
	Mode       int                      `json:"mode"`           // RollingPauseOnFailure | RollingIgnoreFailure | RollingManual
	Expression string                   `json:"expression,omitempty"`
	FileSource *RollingFileSourceConfig `json:"file_source,omitempty"`
}

// RollingFileSourceConfig rolls by source files (not supported yet).
type RollingFileSourceConfig struct {
	MaxExecuteObjectNumInBatch      int `json:"max_execute_object_num_in_batch,omitempty"`
	MaxFileNumOfSingleExecuteObject int `json:"max_file_num_of_single_execute_object,omitempty"`
}

// HostPassword is a per-host Windows password (not supported yet).
type HostPassword struct {
	HostID            int64  `json:"host_id,omitempty"`
	CloudID           int64  `json:"bk_cloud_id,omitempty"`
	IP                string `json:"ip,omitempty"`
	EncryptedPassword string `json:"encrypted_password"`
}

// JobRef names a job instance in a scope.
type JobRef struct {
	ScopeRef
	Caller        `json:"caller" web:"-"` // the door fills it (TakeActor)
	JobInstanceID int64                   `json:"job_instance_id"`
}

// StepRef names a step instance of a job instance in a scope.
type StepRef struct {
	ScopeRef
	Caller         `json:"caller" web:"-"` // the door fills it (TakeActor)
	JobInstanceID  int64                   `json:"job_instance_id"`
	StepInstanceID int64                   `json:"step_instance_id"`
}

// JobCreated is what the create calls return.
type JobCreated struct {
	JobInstanceID   int64  `json:"job_instance_id"`
	JobInstanceName string `json:"job_instance_name"`
	StepInstanceID  int64  `json:"step_instance_id"`
}
