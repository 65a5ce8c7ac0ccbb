package fakegse

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"

	"github.com/bkjob/bkjob/gse/gse2"
)

// fileTask is one async_transfer_file call.
type fileTask struct {
	mu      sync.Mutex
	entries []*gse2.FileResult
	stop    chan struct{}
	once    sync.Once
}

func (t *fileTask) cancel() { t.once.Do(func() { close(t.stop) }) }

func (t *fileTask) add(r gse2.FileResult) *gse2.FileResult {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := &r
	t.entries = append(t.entries, e)
	return e
}

func (t *fileTask) set(e *gse2.FileResult, change func(*gse2.FileResult)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	change(e)
}

// srcFile is one file of a source, relative to the source path.
type srcFile struct {
	rel  string // "" for a plain file source
	full string
	size int64
}

func (s *Server) transferFile(req gse2.TransferFileRequest) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID("FILE")
	task := &fileTask{stop: make(chan struct{})}
	s.files[id] = task
	now := time.Now().Unix()
	for _, tt := range req.Tasks {
		src := tt.Source
		if src.Agent == nil {
			return nil, errors.New("source agent is required")
		}
		upload := gse2.FileContent{Mode: 0, SourceAgentID: src.Agent.AgentID, SourceFileDir: src.StoreDir,
			SourceFileName: src.FileName, StartTime: now}
		a, code, msg := s.checkAgent(src.Agent.AgentID, src.Agent.User)
		var files []srcFile
		if code == 0 {
			var err error
			files, err = listSource(filepath.Join(a.Root, src.StoreDir, src.FileName))
			if err != nil {
				code, msg = 104, err.Error()
			}
		}
		if code != 0 {
			upload.Status, upload.EndTime = gse2.StatusFailed, now
			task.add(gse2.FileResult{ErrorCode: code, ErrorMsg: msg, Content: upload})
			continue
		}
		for _, f := range files {
			up := upload
			up.SourceFileDir, up.SourceFileName = path.Split(path.Join(src.StoreDir, src.FileName, f.rel))
			up.SourceFileDir = path.Clean(up.SourceFileDir)
			up.Size, up.Progress, up.Status, up.EndTime = f.size, 100, gse2.StatusSuccess, now
			task.add(gse2.FileResult{Content: up})
			for _, target := range tt.Target.Agents {
				s.startDownload(task, req, tt, target, up, f)
			}
		}
	}
	return taskIDData(id), nil
}

// listSource lists a file, or every regular file under a directory.
func listSource(p string) ([]srcFile, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("source file does not exist: %w", err)
	}
	if !st.IsDir() {
		return []srcFile{{full: p, size: st.Size()}}, nil
	}
	var out []srcFile
	err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(p, q)
		out = append(out, srcFile{rel: filepath.ToSlash(rel), full: q, size: info.Size()})
		return nil
	})
	return out, err
}

// startDownload adds a running download entry and completes it later.
func (s *Server) startDownload(task *fileTask, req gse2.TransferFileRequest, tt gse2.TransferTask,
	target gse2.Agent, up gse2.FileContent, f srcFile,
) {
	dest := path.Join(tt.Target.StoreDir, tt.Target.FileName, f.rel)
	if f.rel == "" {
		dest = path.Join(tt.Target.StoreDir, tt.Target.FileName)
	}
	down := up
	down.Mode, down.DestAgentID, down.Progress, down.EndTime = 1, target.AgentID, 0, 0
	down.DestFileDir, down.DestFileName = path.Dir(dest), path.Base(dest)
	a, code, msg := s.checkAgent(target.AgentID, target.User)
	if code != 0 {
		down.Status, down.EndTime = gse2.StatusFailed, down.StartTime
		task.add(gse2.FileResult{ErrorCode: code, ErrorMsg: msg, Content: down})
		return
	}
	down.Status = gse2.StatusRunning
	e := task.add(gse2.FileResult{ErrorCode: gse2.ErrorCodeRunning, Content: down})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if a.FileDelay > 0 {
			select {
			case <-time.After(a.FileDelay):
			case <-task.stop:
			}
		}
		select {
		case <-task.stop:
			task.set(e, func(r *gse2.FileResult) {
				r.ErrorCode, r.ErrorMsg = gse2.ErrorCodeTerminated, "task terminated"
				r.Content.Status, r.Content.EndTime = gse2.StatusDiscard, time.Now().Unix()
			})
			return
		default:
		}
		started := time.Now()
		err := copyInto(f.full, filepath.Join(a.Root, dest), filepath.Join(a.Root, tt.Target.StoreDir), req.AutoMkdir)
		task.set(e, func(r *gse2.FileResult) {
			r.Content.EndTime = time.Now().Unix()
			if err != nil {
				r.ErrorCode, r.ErrorMsg, r.Content.Status = 123, err.Error(), gse2.StatusFailed
				return
			}
			elapsed := max(time.Since(started).Seconds(), 0.001)
			r.ErrorCode, r.Content.Status, r.Content.Progress = gse2.ErrorCodeOK, gse2.StatusSuccess, 100
			r.Content.Speed = int64(float64(f.size) / 1024 / elapsed)
		})
	}()
}

// copyInto copies src to dst through a temp file; targetDir must exist
// unless mkdir is set.
func copyInto(src, dst, targetDir string, mkdir bool) error {
	if !mkdir {
		if st, err := os.Stat(targetDir); err != nil || !st.IsDir() {
			return fmt.Errorf("target directory %s does not exist", targetDir)
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".fakegse-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, in); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

func (s *Server) transferResult(req gse2.TaskAgentsRequest) (any, error) {
	s.mu.Lock()
	task, ok := s.files[req.TaskID]
	drop := s.dropResults
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("task %s not found", req.TaskID)
	}
	data := gse2.FileResultData{Result: []gse2.FileResult{}}
	if drop {
		return data, nil
	}
	want := map[string]bool{}
	for _, a := range req.Agents {
		want[a.AgentID] = true
	}
	task.mu.Lock()
	defer task.mu.Unlock()
	for _, e := range task.entries {
		if (e.Content.Mode == 0 && want[e.Content.SourceAgentID]) || (e.Content.Mode == 1 && want[e.Content.DestAgentID]) {
			data.Result = append(data.Result, *e)
		}
	}
	return data, nil
}

func (s *Server) terminateTransfer(req gse2.TaskAgentsRequest) (any, error) {
	s.mu.Lock()
	task, ok := s.files[req.TaskID]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("task %s not found", req.TaskID)
	}
	task.cancel()
	return taskIDData(req.TaskID), nil
}
