package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/bkjob/bkjob/gse"
)

// Files of one task's spool dir, <data-dir>/tasks/<sha256(task id)[:32]>.
const (
	metaFile   = "task.json"
	outputFile = "output"
	resultFile = "result.json"
)

// taskMeta is what survives an agent restart about a task.
type taskMeta struct {
	TaskID  string    `json:"task_id"`
	Kind    string    `json:"kind"` // "script" or "file"
	BootID  string    `json:"boot_id,omitempty"`
	PGID    int       `json:"pgid,omitempty"`
	PGStart uint64    `json:"pg_start,omitempty"` // leader start time in clock ticks since boot
	Created time.Time `json:"created"`
}

// spoolDir is where task id's files live.
func spoolDir(dataDir, taskID string) string {
	sum := sha256.Sum256([]byte(taskID))
	return filepath.Join(dataDir, "tasks", hex.EncodeToString(sum[:16]))
}

// writeJSON writes v to path atomically.
func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	return nil
}

// createSpool makes the spool dir of a new task and opens its output file.
func createSpool(dataDir string, meta taskMeta) (string, *os.File, error) {
	dir := spoolDir(dataDir, meta.TaskID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("create task dir %s: %w", dir, err)
	}
	if err := writeJSON(filepath.Join(dir, metaFile), meta); err != nil {
		return "", nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, outputFile), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return "", nil, fmt.Errorf("open task output %s: %w", dir, err)
	}
	return dir, f, nil
}

// spooled is one task found on disk at start.
type spooled struct {
	dir    string
	meta   taskMeta
	out    *os.File
	size   int64
	result *gse.HostResult // nil: the task was cut off by the agent's death
}

// loadSpool reads every task dir under dataDir/tasks. Broken dirs are
// removed and reported through bad.
func loadSpool(dataDir string, bad func(dir string, err error)) ([]spooled, error) {
	root := filepath.Join(dataDir, "tasks")
	ents, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read task spool %s: %w", root, err)
	}
	var out []spooled
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		s, err := loadOne(dir)
		if err != nil {
			bad(dir, err)
			_ = os.RemoveAll(dir)
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

func loadOne(dir string) (spooled, error) {
	s := spooled{dir: dir}
	if err := readJSON(filepath.Join(dir, metaFile), &s.meta); err != nil {
		return s, err
	}
	f, err := os.OpenFile(filepath.Join(dir, outputFile), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return s, fmt.Errorf("open task output %s: %w", dir, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return s, fmt.Errorf("stat task output %s: %w", dir, err)
	}
	s.out, s.size = f, st.Size()
	var res gse.HostResult
	err = readJSON(filepath.Join(dir, resultFile), &res)
	switch {
	case err == nil:
		s.result = &res
	case errors.Is(err, fs.ErrNotExist):
	default:
		_ = f.Close()
		return s, err
	}
	return s, nil
}
