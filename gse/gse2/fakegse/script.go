package fakegse

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bkjob/bkjob/gse/gse2"
	"github.com/bkjob/bkjob/gse/output"
)

// scriptTask is one async_execute_script call.
type scriptTask struct {
	runs map[string]*scriptRun // by agent id
}

// scriptRun is atomic task 0 on one agent.
type scriptRun struct {
	mu        sync.Mutex
	status    int
	errorCode int
	errorMsg  string
	exitCode  int // raw wait status, code<<8
	start     time.Time
	end       time.Time
	out       []byte
	tag       string
	pid       int
	killCode  int
}

func (r *scriptRun) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out = append(r.out, p...)
	return len(p), nil
}

// kill ends a running script's process group; code is the error code the
// result will carry (126 terminated, 120 timeout).
func (r *scriptRun) kill(code int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pid == 0 || r.status != gse2.StatusRunning || r.killCode != 0 {
		return
	}
	r.killCode = code
	_ = syscall.Kill(-r.pid, syscall.SIGKILL)
}

func failedRun(code int, msg string) *scriptRun {
	now := time.Now()
	return &scriptRun{status: gse2.StatusFailed, errorCode: code, errorMsg: msg, start: now, end: now}
}

func (s *Server) executeScript(req gse2.ExecuteScriptRequest) (any, error) {
	if len(req.AtomicTasks) == 0 || len(req.Scripts) == 0 {
		return nil, errors.New("scripts and atomic_tasks are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID("SCRIPT")
	task := &scriptTask{runs: map[string]*scriptRun{}}
	s.scripts[id] = task
	atomic := req.AtomicTasks[0]
	for _, ag := range req.Agents {
		a, code, msg := s.checkAgent(ag.AgentID, ag.User)
		if code != 0 {
			task.runs[ag.AgentID] = failedRun(code, msg)
			continue
		}
		run, err := s.startScript(a, req.Scripts, atomic)
		if err != nil {
			task.runs[ag.AgentID] = failedRun(105, err.Error())
			continue
		}
		task.runs[ag.AgentID] = run
	}
	return taskIDData(id), nil
}

// startScript writes the scripts under the agent's root and runs the
// atomic task's command there, its script paths rewritten to the root.
func (s *Server) startScript(a *Agent, scripts []gse2.Script, atomic gse2.AtomicTask) (*scriptRun, error) {
	command := atomic.Command
	for _, sc := range scripts {
		dir := filepath.Join(a.Root, sc.StoreDir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create script dir: %w", err)
		}
		file := filepath.Join(dir, sc.Name)
		if err := os.WriteFile(file, []byte(sc.Content), 0o755); err != nil {
			return nil, fmt.Errorf("write script: %w", err)
		}
		command = strings.Replace(command, sc.StoreDir+"/"+sc.Name, file, 1)
	}
	run := &scriptRun{status: gse2.StatusRunning, errorCode: gse2.ErrorCodeRunning, start: time.Now()}
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Dir = "/"
	if a.Root != "" {
		cmd.Dir = a.Root
	}
	cmd.Stdout, cmd.Stderr = run, run
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start script: %w", err)
	}
	run.pid = cmd.Process.Pid
	var timer *time.Timer
	if atomic.TimeoutSeconds > 0 {
		timer = time.AfterFunc(time.Duration(atomic.TimeoutSeconds)*time.Second, func() { run.kill(120) })
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := cmd.Wait()
		if timer != nil {
			timer.Stop()
		}
		run.finish(err)
	}()
	return run, nil
}

func (r *scriptRun) finish(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.end = time.Now()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
		if code < 0 {
			code = 128 + int(syscall.SIGKILL)
		}
	}
	r.exitCode = code << 8
	r.tag = findTag(r.out)
	switch {
	case r.killCode == gse2.ErrorCodeTerminated:
		r.status, r.errorCode, r.errorMsg = gse2.StatusDiscard, r.killCode, "task terminated"
	case r.killCode != 0:
		r.status, r.errorCode, r.errorMsg = gse2.StatusTimeout, r.killCode, "script timed out"
	case code == 0:
		r.status, r.errorCode = gse2.StatusSuccess, gse2.ErrorCodeOK
	default:
		r.status, r.errorCode = gse2.StatusFailed, gse2.ErrorCodeOK
	}
}

// findTag returns the message of the last job_success:[..]/job_fail:[..]
// line, read as the built-in agent and the SSH transport read it.
func findTag(out []byte) string {
	var tags output.Tags
	tags.Feed(out)
	return tags.Finish()
}

func (s *Server) scriptResult(req gse2.ScriptResultRequest) (any, error) {
	s.mu.Lock()
	task, ok := s.scripts[req.TaskID]
	drop := s.dropResults
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("task %s not found", req.TaskID)
	}
	data := gse2.ScriptResultData{Result: []gse2.ScriptResult{}}
	if drop {
		return data, nil
	}
	for _, at := range req.AgentTasks {
		run, ok := task.runs[at.AgentID]
		if !ok {
			continue
		}
		for _, q := range at.AtomicTasks {
			if q.ID != 0 {
				continue
			}
			data.Result = append(data.Result, run.result(at.AgentID, q))
		}
	}
	return data, nil
}

func (r *scriptRun) result(agentID string, q gse2.AtomicQuery) gse2.ScriptResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := gse2.ScriptResult{
		AgentID: agentID, AtomicID: 0, Status: r.status, ErrorCode: r.errorCode, ErrorMsg: r.errorMsg,
		StartTime: r.start.Unix(), ExitCode: r.exitCode, Tag: r.tag,
	}
	if !r.end.IsZero() {
		res.EndTime = r.end.Unix()
	}
	if q.Offset < int64(len(r.out)) {
		end := int64(len(r.out))
		if q.Limit > 0 {
			end = min(end, q.Offset+q.Limit)
		}
		res.Screen = string(r.out[q.Offset:end])
	}
	return res
}

func (s *Server) terminateScript(req gse2.TaskAgentsRequest) (any, error) {
	s.mu.Lock()
	task, ok := s.scripts[req.TaskID]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("task %s not found", req.TaskID)
	}
	for _, a := range req.Agents {
		if run, ok := task.runs[a.AgentID]; ok {
			run.kill(gse2.ErrorCodeTerminated)
		}
	}
	return taskIDData(req.TaskID), nil
}
