// Package gse is the contract between the execution engine and the ways
// bkjob reaches hosts: its own agent (builtin), SSH (agentless) and BlueKing
// GSE 2.0. The engine drives only Transport; results flow back through Sink.
//
// Results are keyed by (task id, host id). Output arrives as ordered chunks
// carrying their byte offset, so a consumer that stored offset N drops any
// chunk that starts before N and nothing is read twice.
package gse

//go:generate go run github.com/bkjob/bkjob/platform/api/apigen -contract Transport

import (
	"context"
	"time"
)

// Host is one execute target as the engine resolved it.
type Host struct {
	ID      int64  `json:"host_id"`
	CloudID int64  `json:"bk_cloud_id"`
	IP      string `json:"ip"`
	AgentID string `json:"agent_id,omitempty"`
	// SSH is set for agentless hosts reached over SSH.
	SSH *SSHEndpoint `json:"ssh,omitempty"`
}

// SSHEndpoint says how to reach an agentless host.
type SSHEndpoint struct {
	Addr         string `json:"addr"` // host:port
	User         string `json:"user"`
	CredentialID string `json:"credential_id"` // manage's credential id (32 hex digits)
}

// Script languages, as bk-job numbers them.
const (
	LangShell      = 1
	LangBat        = 2
	LangPerl       = 3
	LangPython     = 4
	LangPowerShell = 5
	LangSQL        = 6
)

// ScriptTask runs one script on every host.
type ScriptTask struct {
	TaskID   string            `json:"task_id"` // unique per (step, execute count, batch)
	Hosts    []Host            `json:"hosts"`
	Language int               `json:"language"`
	Content  string            `json:"content"`
	Params   string            `json:"params,omitempty"`
	Account  string            `json:"account"` // OS user to run as
	Timeout  time.Duration     `json:"timeout"`
	Env      map[string]string `json:"env,omitempty"`
	WorkDir  string            `json:"work_dir,omitempty"`
}

// Transfer modes (bk-job's transfer_mode).
const (
	TransferStrict       = 1 // overwrite, fail when the target dir is missing
	TransferForce        = 2 // overwrite, create the target dir
	TransferSafetyIP     = 3 // <dir>/<cloud>_<ip>/file
	TransferSafetyDateIP = 4 // <dir>/<YYYY-MM-DD>/<cloud>_<ip>/file
)

// FileSource is one file (or directory, path ending in "/") to send.
type FileSource struct {
	// Host is the source host; nil when the file is in the blob store.
	Host    *Host  `json:"host,omitempty"`
	Path    string `json:"path,omitempty"`     // absolute path on Host
	BlobKey string `json:"blob_key,omitempty"` // key in the blob store
	Name    string `json:"name,omitempty"`     // file name at the target; default base of Path
	Account string `json:"account,omitempty"`  // OS user reading the source
}

// FileTask copies sources to a directory on every target host.
type FileTask struct {
	TaskID        string        `json:"task_id"`
	Sources       []FileSource  `json:"sources"`
	Targets       []Host        `json:"targets"`
	TargetDir     string        `json:"target_dir"`
	Account       string        `json:"account"`
	Mode          int           `json:"mode"`
	UploadLimit   int64         `json:"upload_limit,omitempty"`   // bytes/s, 0 = none
	DownloadLimit int64         `json:"download_limit,omitempty"` // bytes/s, 0 = none
	Timeout       time.Duration `json:"timeout"`
}

// AgentState is an agent's liveness as the transport sees it.
type AgentState struct {
	HostID  int64     `json:"bk_host_id"`
	AgentID string    `json:"bk_agent_id"`
	Alive   bool      `json:"alive"`
	Version string    `json:"version,omitempty"`
	Seen    time.Time `json:"last_seen"`
}

// Transport starts and stops work on hosts. Start calls return once the work
// is handed over; results arrive later through the Sink. It is the
// declaration of the gse role's calls: `go generate` writes their bus
// Client and Serve (api_gen.go, platform/api/apigen).
type Transport interface {
	StartScript(ctx context.Context, task ScriptTask) error
	StartFile(ctx context.Context, task FileTask) error
	// Stop terminates the task on the given hosts (all when empty): SIGTERM,
	// then SIGKILL of the whole process group after a grace period.
	Stop(ctx context.Context, taskID string, hostIDs []int64) error
	AgentStatus(ctx context.Context, hosts []Host) ([]AgentState, error)
	// Lost returns the hosts among hosts for which the transport no longer
	// holds taskID: it has no record of the task there (it restarted since
	// the dispatch, say) and no undelivered events. What such a task may have
	// left running on a host is ended first where the transport can find it.
	// A host whose final result the transport delivered is never asked about:
	// the engine asks only about hosts its database still shows unfinished,
	// and reads the database after the transport answered.
	Lost(ctx context.Context, taskID string, hosts []Host) ([]int64, error)
}

// Sink receives events in order per (task, host). An error means "not taken":
// the transport keeps the events and delivers them again.
type Sink func(ctx context.Context, events []Event) error
