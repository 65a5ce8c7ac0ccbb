package wire

import (
	"time"

	"github.com/bkjob/bkjob/gse"
)

// Path is where the hub accepts agent connections.
const Path = "/gse/v1/agent"

// Type names a message.
type Type string

// Message types; see the package comment for who sends which.
const (
	TypeHello     Type = "hello"
	TypeWelcome   Type = "welcome"
	TypeHeartbeat Type = "heartbeat"
	TypeRunScript Type = "run_script"
	TypeRunFile   Type = "run_file"
	TypeStop      Type = "stop"
	TypeAccepted  Type = "accepted"
	TypeOutput    Type = "output"
	TypeProgress  Type = "progress"
	TypeResult    Type = "result"
	TypeAck       Type = "ack"
	TypeRead      Type = "read"
	TypeReadReply Type = "read_reply"
	// TypeEnrolled is the agent's answer to a Welcome that carried a
	// credential: the agent has stored it.
	TypeEnrolled Type = "enrolled"
)

// HeaderAgentID names the agent whose credential is the connection's
// bearer secret. Without it the bearer secret is a business token, which
// only admits an agent's first connection (enrolment).
const HeaderAgentID = "X-Bkjob-Agent-Id"

// Message is one protocol message. Type says which fields are set; Data is
// the binary payload (output chunk, file chunk) and is not part of the JSON.
type Message struct {
	Type     Type              `json:"type"`
	TaskID   string            `json:"task_id,omitempty"`
	Offset   int64             `json:"offset,omitempty"` // output: offset of Data
	Seq      int64             `json:"seq,omitempty"`    // progress: per-task sequence
	Hello    *Hello            `json:"hello,omitempty"`
	Welcome  *Welcome          `json:"welcome,omitempty"`
	Script   *Script           `json:"script,omitempty"`
	File     *FileJob          `json:"file,omitempty"`
	Result   *gse.HostResult   `json:"result,omitempty"`
	Progress *gse.FileProgress `json:"progress,omitempty"`
	Ack      *Ack              `json:"ack,omitempty"`
	Read     *Read             `json:"read,omitempty"`
	Reply    *ReadReply        `json:"reply,omitempty"`
	Data     []byte            `json:"-"`
}

// Hello introduces an agent.
type Hello struct {
	AgentID  string   `json:"agent_id"`
	Hostname string   `json:"hostname"`
	OS       string   `json:"os"` // runtime.GOOS
	Arch     string   `json:"arch"`
	Version  string   `json:"version"`
	CloudID  int64    `json:"cloud_id"`
	IP       string   `json:"ip"` // the address the host is known by (--ip or the primary IPv4)
	IPv4     []string `json:"ipv4,omitempty"`
	IPv6     []string `json:"ipv6,omitempty"`
	// Tasks are the ids of tasks the agent holds (queued, running, or
	// finished but not yet acknowledged).
	Tasks []string `json:"tasks,omitempty"`
}

// Welcome answers Hello.
type Welcome struct {
	HostID            int64         `json:"host_id"`
	HeartbeatInterval time.Duration `json:"heartbeat_interval"`
	// OfflineAfter is how long either side waits for a message before it
	// drops the connection; the hub answers every heartbeat.
	OfflineAfter time.Duration `json:"offline_after"`
	// Credential is set when the agent was admitted by a token: its own
	// secret, which it stores and presents (with HeaderAgentID) from now
	// on instead of the token. It is sent once; the hub keeps only a hash.
	Credential string `json:"credential,omitempty"`
}

// Script is a script task as one agent runs it.
type Script struct {
	Language       int               `json:"language"`
	Content        string            `json:"content"`
	Params         string            `json:"params,omitempty"`
	Account        string            `json:"account,omitempty"`
	Timeout        time.Duration     `json:"timeout,omitempty"`
	Env            map[string]string `json:"env,omitempty"`
	WorkDir        string            `json:"work_dir,omitempty"`
	MaxOutputBytes int64             `json:"max_output_bytes"`
}

// FileJob is a file task as one target agent runs it: pull every source
// into TargetDir.
type FileJob struct {
	Sources       []FileSource  `json:"sources"`
	TargetDir     string        `json:"target_dir"`
	Account       string        `json:"account,omitempty"`
	Mode          int           `json:"mode"`
	UploadLimit   int64         `json:"upload_limit,omitempty"`
	DownloadLimit int64         `json:"download_limit,omitempty"`
	Timeout       time.Duration `json:"timeout,omitempty"`
}

// FileSource is one source of a FileJob. Exactly one of HostID (with Path)
// and BlobKey is set.
type FileSource struct {
	HostID  int64  `json:"host_id,omitempty"`
	CloudID int64  `json:"cloud_id,omitempty"`
	IP      string `json:"ip,omitempty"`
	Path    string `json:"path,omitempty"`
	BlobKey string `json:"blob_key,omitempty"`
	Name    string `json:"name,omitempty"`
	Account string `json:"account,omitempty"`
}

// Ack acknowledges what the hub passed on for a task.
type Ack struct {
	Offset int64 `json:"offset"` // output bytes taken
	Seq    int64 `json:"seq"`    // progress messages taken, up to this Seq
	Done   bool  `json:"done"`   // the result was taken (or the task is void): forget it
}

// Read operations.
const (
	OpList = "list" // describe the source: its files with size and sha256
	OpRead = "read" // return Length bytes of one file at Offset
)

// Read asks for file data. A target agent sends it to the hub with Source
// set; the hub answers from the blob store or forwards it (with its own ID)
// to the source host's agent.
type Read struct {
	ID          uint64     `json:"id"`
	TaskID      string     `json:"task_id"`
	Op          string     `json:"op"`
	Source      FileSource `json:"source"`
	Path        string     `json:"path,omitempty"` // OpRead: Entry.Path of the file
	Offset      int64      `json:"offset,omitempty"`
	Length      int64      `json:"length,omitempty"`
	UploadLimit int64      `json:"upload_limit,omitempty"` // bytes/s at the source, 0 = none
}

// Reply error codes.
const (
	CodeNotFound = "not_found" // the source file does not exist
	CodeDenied   = "denied"    // the source account may not read it
	CodeOffline  = "offline"   // the source host's agent is not connected
	CodeBusy     = "busy"      // the hub holds too many reads of this agent: retry later
	CodeFailed   = "failed"    // anything else
)

// ReadReply answers Read. Data carries the chunk for OpRead.
type ReadReply struct {
	ID      uint64  `json:"id"`
	Code    string  `json:"code,omitempty"` // empty on success
	Error   string  `json:"error,omitempty"`
	Entries []Entry `json:"entries,omitempty"` // OpList
	EOF     bool    `json:"eof,omitempty"`     // OpRead: the chunk ends the file
}

// Entry is one file of a source.
type Entry struct {
	Path   string `json:"path"` // what to pass as Read.Path
	Rel    string `json:"rel"`  // path below the target dir, "/"-separated
	Size   int64  `json:"size"`
	Mode   uint32 `json:"mode"` // permission bits
	SHA256 string `json:"sha256"`
}
