package logsvr

//go:generate go run github.com/bkjob/bkjob/platform/api/apigen -contract Calls -client CallsClient

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/bkjob/bkjob/platform/errs"
)

// AnyBatch in StepRef.Batch selects every batch of a step on reads, listings,
// searches and exports. Writes need a real batch (0 for a step that does not
// roll, 1.. for rolling batches, as bk-job numbers them).
const AnyBatch = -1

// MaxBatchHosts is the most hosts ReadHosts accepts in one call (bk-job's
// batch_get_job_instance_ip_log limit).
const MaxBatchHosts = 500

// File log modes (bk-job FileTaskModeEnum): the entry of a source host that
// uploads, or of a target host that downloads.
const (
	ModeUpload   = 0
	ModeDownload = 1
	ModeAll      = -1 // ReadFileLogs only: both modes
)

// StepRef names one run of a step: the step instance, its execute count (each
// retry is a new one, older ones stay readable) and the rolling batch.
// JobCreated is the creation time of the job instance; its UTC date selects
// the day partition (bk-job's job_log_script_YYYY_MM_DD), so the writer and
// every reader must pass the same value.
type StepRef struct {
	JobInstanceID  int64     `json:"job_instance_id"`
	StepInstanceID int64     `json:"step_instance_id"`
	ExecuteCount   int       `json:"execute_count"`
	Batch          int       `json:"batch"`
	JobCreated     time.Time `json:"job_created"`
}

// Day is the partition of the step's logs, "YYYY_MM_DD" of JobCreated in UTC.
func (s StepRef) Day() string { return s.JobCreated.UTC().Format("2006_01_02") }

// HostKey names one host's script log in one step run.
type HostKey struct {
	StepRef
	HostID int64 `json:"host_id"`
}

// ScriptChunk is a piece of a host's combined stdout/stderr at a byte offset
// of the host's output (gse.OutputChunk). Writes are idempotent by offset: the
// part of a chunk that starts before the stored end is dropped, so redelivered
// or overlapping chunks never duplicate output.
type ScriptChunk struct {
	HostKey
	// Host is the display name, bk-job's "cloud:ip" (e.g. "0:10.0.0.1");
	// optional, kept from the first chunk that has it, used to name exports.
	Host   string `json:"host,omitempty"`
	Offset int64  `json:"offset"`
	Data   []byte `json:"data"`
}

// ScriptLog is (part of) a host's stored script log.
type ScriptLog struct {
	HostID int64  `json:"host_id"`
	Host   string `json:"host,omitempty"`
	Batch  int    `json:"batch"`
	// Offset is where Content starts and Next where the next read starts.
	// Offsets are positions in the stored log; they equal the writer's
	// offsets unless the writer skipped bytes (then the stored log is shorter)
	// or the log was truncated (the marker has no writer offset).
	Offset  int64  `json:"offset"`
	Next    int64  `json:"next"`
	Content []byte `json:"content"`
	// Size is the stored length of the whole log; End is the writer offset
	// after the last stored byte: a writer resuming a host sends from End.
	Size int64 `json:"size"`
	End  int64 `json:"end"`
	// Truncated is true once the per-host cap was hit: the log ends with the
	// marker "\n[bkjob: log truncated at N bytes]\n" and later chunks are dropped.
	Truncated bool `json:"truncated"`
}

// HostLog describes one host's script log of a step without its content.
type HostLog struct {
	HostID    int64  `json:"host_id"`
	Host      string `json:"host,omitempty"`
	Batch     int    `json:"batch"`
	Size      int64  `json:"size"`
	End       int64  `json:"end"`
	Truncated bool   `json:"truncated"`
}

// TimeLog is one time-stamped line of a file transfer log (bk-job timeLogList).
type TimeLog struct {
	Time    time.Time `json:"time"`
	Content string    `json:"content"`
}

// FileLog is the transfer log of one file on one host in one step run. An
// entry is identified by (StepRef, Mode, HostID, SrcHostID, SrcPath,
// DestPath); each write replaces the entry's progress fields with the
// written ones and appends Lines.
type FileLog struct {
	StepRef
	Mode       int    `json:"mode"`    // ModeUpload | ModeDownload
	HostID     int64  `json:"host_id"` // the source host (upload) or target host (download)
	SrcHostID  int64  `json:"src_host_id"`
	SrcHost    string `json:"src_host,omitempty"` // display "cloud:ip"
	SrcPath    string `json:"src_path"`
	DestHostID int64  `json:"dest_host_id,omitempty"`
	DestHost   string `json:"dest_host,omitempty"`
	DestPath   string `json:"dest_path,omitempty"`
	Size       int64  `json:"size"`    // bytes of the file
	Bytes      int64  `json:"bytes"`   // bytes transferred so far
	Speed      int64  `json:"speed"`   // bytes per second
	Percent    int    `json:"percent"` // progress 0..100
	Status     int    `json:"status"`  // gse.FileStatus*
	StatusDesc string `json:"status_desc,omitempty"`
	// Lines are appended to the entry on write; a read returns all of them.
	Lines []TimeLog `json:"lines,omitempty"`
}

// Calls are the log store's plain calls, declared once: `go generate`
// writes their bus client (CallsClient) and handlers from this interface
// (platform/api/apigen). Service adds the two streaming methods.
//
// The log store keeps script output and file-transfer progress.
//
// Writes are acknowledged once buffered: the store flushes its buffer every
// ~200 ms or 1 MB and on Flush and Stop, so nothing acknowledged is lost on a
// clean stop; after a crash a writer re-sends from HostLog.End and the
// offsets dedupe it. Reads see every acknowledged write.
type Calls interface {
	// WriteScript stores chunks of any hosts and steps in one call.
	WriteScript(ctx context.Context, chunks []ScriptChunk) error
	// WriteFile stores file-transfer progress entries.
	WriteFile(ctx context.Context, logs []FileLog) error
	// Flush makes every acknowledged write durable before it returns.
	Flush(ctx context.Context) error

	// ReadScript reads a host's log from offset, at most limit bytes (limit
	// <= 0: to the end). A host with no log yet reads as empty, not an error.
	ReadScript(ctx context.Context, key HostKey, offset int64, limit int) (ScriptLog, error)
	// ReadHosts reads the whole logs of 1..MaxBatchHosts hosts; step.Batch may
	// be AnyBatch. Hosts without a log are returned with empty content.
	ReadHosts(ctx context.Context, step StepRef, hostIDs []int64) ([]ScriptLog, error)
	// ListHosts lists the hosts that have a script log in the step run,
	// ordered by host id (then batch); step.Batch may be AnyBatch.
	ListHosts(ctx context.Context, step StepRef) ([]HostLog, error)
	// SearchHosts returns, ordered, the hosts whose log contains keyword (a
	// case-sensitive substring); step.Batch may be AnyBatch.
	SearchHosts(ctx context.Context, step StepRef, keyword string) ([]int64, error)
	// ReadFileLogs returns the file logs of the given hosts (all hosts when
	// hostIDs is empty) in mode (ModeAll for both), ordered by host, mode,
	// source host, source path, destination path.
	ReadFileLogs(ctx context.Context, step StepRef, hostIDs []int64, mode int) ([]FileLog, error)

	// Purge drops the logs of every job created before the UTC day of
	// olderThan and returns how many day partitions it dropped.
	Purge(ctx context.Context, olderThan time.Time) (int, error)
}

// Service is Calls plus the two that are more than one call: ExportStep
// streams a zip and Watch a channel. The bus Client builds them from Calls.
type Service interface {
	Calls

	// ExportStep writes a zip of every host's script log of the step run (all
	// batches when step.Batch is AnyBatch), one file per host named
	// "<cloud>_<ip>.log" from the host's display name, or "host_<id>.log".
	ExportStep(ctx context.Context, step StepRef, w io.Writer) error

	// Watch delivers the script chunks of the step run (of one host, or of
	// every host when hostID is 0) as they are stored, until ctx ends; then
	// the channel is closed. Delivery is best effort: a slow reader misses
	// chunks, so compare Offset with what was received and ReadScript the
	// gap. Chunk offsets are stored positions (as ScriptLog.Offset). The
	// stores push chunks in-process; the bus Client polls the remote store.
	Watch(ctx context.Context, step StepRef, hostID int64) (<-chan ScriptChunk, error)
}

// Store is a Service that the logsvr role runs: Start begins the daily
// retention purge, Stop flushes, stops and releases files and connections.
type Store interface {
	Service
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Sentinel errors, with their stable codes.
var (
	ErrInvalidKey = errs.New("logsvr.invalidKey", http.StatusBadRequest, "invalid log key")
	ErrOverloaded = errs.New("logsvr.overloaded", http.StatusServiceUnavailable, "log store is behind: too much unflushed log")
	ErrClosed     = errs.New("logsvr.closed", http.StatusServiceUnavailable, "log store is closed")
)
