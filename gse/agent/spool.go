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
	"runtime"
	"time"

	"github.com/bkjob/bkjob/gse"
)

// Files of one task's spool dir, <data-dir>/tasks/<sha256(task id)[:32]>.
const (
	metaFile   = "task.json"
	outputFile = "output"
	resultFile = "result.json"
)

// quarantineDir (under the data dir) keeps task spools that could not be
// read, for an operator to look at; the agent never deletes them.
const quarantineDir = "quarantine"

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

// writeJSON writes v to path atomically and durably: the file is synced
// before it replaces path, and the directory after, so what the agent
// reports from it survives a crash of the machine.
func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := writeSynced(tmp, b); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return syncDir(filepath.Dir(path))
}

// writeSynced writes b to a new file at path and syncs it.
func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) //nolint:gosec // G304: a file of the spool in the agent's data dir
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// syncDir makes the entries of dir (files created, renamed or removed)
// durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be synced there; NTFS journals renames
	}
	d, err := os.Open(dir) //nolint:gosec // G304: a directory of the agent's data dir
	if err != nil {
		return fmt.Errorf("open dir %s: %w", dir, err)
	}
	defer func() { _ = d.Close() }() // the Sync below is what counts
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path) //nolint:gosec // G304: a file of the spool in the agent's data dir
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	return nil
}

// createSpool makes the spool dir of a new task and opens its output file.
// Everything is synced (files, the task dir, its parents) before it
// returns: the agent then tells the hub it holds the task, and the hub
// relies on that after a crash.
func createSpool(dataDir string, meta taskMeta) (string, *os.File, error) {
	dir := spoolDir(dataDir, meta.TaskID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("create task dir %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, outputFile), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600) //nolint:gosec // G304: a file of the spool in the agent's data dir
	if err != nil {
		return "", nil, fmt.Errorf("open task output %s: %w", dir, err)
	}
	// writeJSON syncs dir, which holds the output file too.
	err = writeJSON(filepath.Join(dir, metaFile), meta)
	for _, d := range []string{filepath.Dir(dir), dataDir} {
		if err == nil {
			err = syncDir(d)
		}
	}
	if err != nil {
		_ = f.Close()
		return "", nil, err
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

// loadSpool reads every task dir under dataDir/tasks. A dir that cannot be
// read is moved to dataDir/quarantine (never deleted) and reported through
// bad, with where it went ("" when it could not be moved: it stays put and
// is skipped).
func loadSpool(dataDir string, bad func(dir, moved string, err error)) ([]spooled, error) {
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
			moved, qerr := quarantine(dataDir, dir)
			if qerr != nil {
				err = errors.Join(err, qerr)
			}
			bad(dir, moved, err)
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
	f, err := os.OpenFile(filepath.Join(dir, outputFile), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600) //nolint:gosec // G304: a file of the spool in the agent's data dir
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

// quarantine moves a broken task dir to dataDir/quarantine and returns its
// new path.
func quarantine(dataDir, dir string) (string, error) {
	root := filepath.Join(dataDir, quarantineDir)
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", fmt.Errorf("create quarantine dir %s: %w", root, err)
	}
	to := filepath.Join(root, fmt.Sprintf("%s-%d", filepath.Base(dir), time.Now().UnixNano()))
	if err := os.Rename(dir, to); err != nil {
		return "", fmt.Errorf("quarantine %s: %w", dir, err)
	}
	if err := syncDir(root); err != nil {
		return to, err
	}
	return to, syncDir(filepath.Dir(dir))
}

// QuarantineCount is the number of task spools set aside in dataDir's
// quarantine because the agent could not read them.
func QuarantineCount(dataDir string) (int, error) {
	ents, err := os.ReadDir(filepath.Join(dataDir, quarantineDir))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read quarantine of %s: %w", dataDir, err)
	}
	return len(ents), nil
}
