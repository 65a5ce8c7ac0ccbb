package gsetest

import (
	"context"
	"path"
	"slices"
	"sync"
	"time"

	"github.com/bkjob/bkjob/gse"
)

// Behavior is what a fake host does with a task.
type Behavior struct {
	// Output is emitted at once, as one chunk.
	Output string
	// ExitCode decides the status (0 → success, else non-zero exit) unless
	// Status is set.
	ExitCode int
	Status   int
	ErrorMsg string
	Tag      string
	// Delay is the time between the output and the final result; Stop
	// during it ends the host as terminated.
	Delay time.Duration
}

// Fake is a gse.Transport for engine tests: each host behaves as scripted,
// nothing runs. Events go to the sink in order per (task, host); a refused
// batch is retried, as the real transports do.
type Fake struct {
	sink gse.Sink
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu      sync.Mutex
	def     Behavior
	hosts   map[int64]Behavior
	offline map[int64]bool
	running map[fakeKey]chan struct{}
	scripts []gse.ScriptTask
	files   []gse.FileTask
	stops   []string
}

type fakeKey struct {
	task string
	host int64
}

var _ gse.Transport = (*Fake)(nil)

// NewFake returns a fake whose hosts succeed with no output by default.
// Close it (t.Cleanup) to end pending deliveries.
func NewFake(sink gse.Sink) *Fake {
	ctx, cancel := context.WithCancel(context.Background())
	return &Fake{sink: sink, ctx: ctx, stop: cancel, hosts: map[int64]Behavior{}, offline: map[int64]bool{}, running: map[fakeKey]chan struct{}{}}
}

// Close stops pending tasks without results and waits for the fake's goroutines.
func (f *Fake) Close() {
	f.stop()
	f.wg.Wait()
}

// SetDefault sets what hosts without their own behaviour do.
func (f *Fake) SetDefault(b Behavior) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.def = b
}

// SetHost sets what host id does with every task.
func (f *Fake) SetHost(id int64, b Behavior) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hosts[id] = b
}

// SetOffline makes host id's agent offline: tasks fail with agent error.
func (f *Fake) SetOffline(id int64, offline bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.offline[id] = offline
}

// Scripts returns the script tasks started so far.
func (f *Fake) Scripts() []gse.ScriptTask {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]gse.ScriptTask(nil), f.scripts...)
}

// Files returns the file tasks started so far.
func (f *Fake) Files() []gse.FileTask {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]gse.FileTask(nil), f.files...)
}

// Stops returns the task ids Stop was called with.
func (f *Fake) Stops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.stops...)
}

// StartScript implements gse.Transport.
func (f *Fake) StartScript(_ context.Context, task gse.ScriptTask) error {
	f.mu.Lock()
	f.scripts = append(f.scripts, task)
	f.mu.Unlock()
	for _, h := range task.Hosts {
		f.start(task.TaskID, h.ID, nil)
	}
	return nil
}

// StartFile implements gse.Transport: every target reports each source as
// one finished (or, with a failing behaviour, failed) file.
func (f *Fake) StartFile(_ context.Context, task gse.FileTask) error {
	f.mu.Lock()
	f.files = append(f.files, task)
	f.mu.Unlock()
	for _, h := range task.Targets {
		f.start(task.TaskID, h.ID, &task)
	}
	return nil
}

func (f *Fake) behavior(host int64) (Behavior, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.hosts[host]
	if !ok {
		b = f.def
	}
	return b, f.offline[host]
}

func (f *Fake) start(taskID string, host int64, file *gse.FileTask) {
	b, offline := f.behavior(host)
	stop := make(chan struct{})
	f.mu.Lock()
	f.running[fakeKey{taskID, host}] = stop
	f.mu.Unlock()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		defer f.forget(taskID, host)
		began := time.Now()
		if offline {
			f.emit(gse.Event{Kind: gse.EventResult, TaskID: taskID, HostID: host, Result: &gse.HostResult{
				Status: gse.HostStatusAgentError, ErrorCode: gse.ErrorCodeOther, ErrorMsg: "agent offline", Start: began, End: time.Now()}})
			return
		}
		if file != nil {
			f.fileProgress(file, host, b)
		}
		if b.Output != "" && file == nil {
			f.emit(gse.Event{Kind: gse.EventOutput, TaskID: taskID, HostID: host, Output: &gse.OutputChunk{Data: []byte(b.Output)}})
		}
		res := &gse.HostResult{Status: b.Status, ExitCode: b.ExitCode, ErrorMsg: b.ErrorMsg, Tag: b.Tag, Start: began}
		if file == nil {
			res.Offset = int64(len(b.Output))
		}
		if res.Status == 0 {
			res.Status = gse.HostStatusSuccess
			if b.ExitCode != 0 {
				res.Status = gse.HostStatusScriptNonZeroExit
			}
		}
		select {
		case <-time.After(b.Delay):
		case <-stop:
			res.Status, res.ErrorCode, res.ErrorMsg = gse.HostStatusScriptTerminate, gse.ErrorCodeTerminated, "stopped"
			if file != nil {
				res.Status = gse.HostStatusTerminateSuccess
			}
		case <-f.ctx.Done():
			return
		}
		res.End = time.Now()
		f.emit(gse.Event{Kind: gse.EventResult, TaskID: taskID, HostID: host, Result: res})
	}()
}

// fileProgress reports each source of task as one file at the target.
func (f *Fake) fileProgress(task *gse.FileTask, host int64, b Behavior) {
	status, msg := gse.FileStatusFinished, ""
	if b.Status != 0 && b.Status != gse.HostStatusSuccess {
		status, msg = gse.FileStatusFailed, b.ErrorMsg
	}
	for _, s := range task.Sources {
		name := s.Name
		if name == "" {
			name = path.Base(s.Path + s.BlobKey)
		}
		var src int64
		if s.Host != nil {
			src = s.Host.ID
		}
		f.emit(gse.Event{Kind: gse.EventFile, TaskID: task.TaskID, HostID: host, File: &gse.FileProgress{
			Mode: 1, SrcHostID: src, SrcPath: s.Path + s.BlobKey, DestPath: task.TargetDir + "/" + name,
			Percent: 100, Status: status, Message: msg}})
	}
}

func (f *Fake) forget(taskID string, host int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.running, fakeKey{taskID, host})
}

// emit delivers one event, retrying while the sink refuses it.
func (f *Fake) emit(ev gse.Event) {
	for f.sink(f.ctx, []gse.Event{ev}) != nil {
		select {
		case <-f.ctx.Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Stop implements gse.Transport.
func (f *Fake) Stop(_ context.Context, taskID string, hostIDs []int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stops = append(f.stops, taskID)
	for k, ch := range f.running {
		if k.task != taskID {
			continue
		}
		if len(hostIDs) > 0 && !slices.Contains(hostIDs, k.host) {
			continue
		}
		close(ch)
		delete(f.running, k)
	}
	return nil
}

// AgentStatus implements gse.Transport: every host is alive unless set offline.
func (f *Fake) AgentStatus(_ context.Context, hosts []gse.Host) ([]gse.AgentState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]gse.AgentState, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, gse.AgentState{HostID: h.ID, AgentID: h.AgentID, Alive: !f.offline[h.ID], Version: "fake", Seen: time.Now()})
	}
	return out, nil
}
