package executetest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bkjob/bkjob/gse"
)

// Run is one host's share of a started task, as Behave sees it.
type Run struct {
	TaskID  string
	Host    gse.Host
	Script  *gse.ScriptTask
	File    *gse.FileTask
	Attempt int // 1 for the first time this host is started in this step, 2 on a retry, …
}

// Outcome is what a fake host does: print Output (one chunk per element),
// wait Delay (or until Release when Hold is set), print Tail, then finish with ExitCode
// (status 9 when 0, 104 otherwise, unless Status is set) and Tag. A host
// still waiting when the task's timeout passes finishes with 102.
type Outcome struct {
	Output   []string
	Tail     []string // printed after the wait
	ExitCode int
	Status   int
	Tag      string
	Delay    time.Duration
	Hold     bool
	// Deaf hosts ignore Stop and the timeout: they report only when released.
	Deaf bool
}

// Transport is a fake gse.Transport: hosts run in goroutines and report
// through the sink in order per host, batched, retried while the sink
// refuses them. It outlives engines, as a real transport outlives a
// restarted execute role: SetSink points it at the next one.
type Transport struct {
	// Behave decides each host's outcome; nil prints "hello\n" and exits 0.
	Behave func(Run) Outcome
	// Refuse, when set, is asked first on every start: an error is
	// returned as the transport's refusal and nothing runs.
	Refuse func(Start) error
	// BeforeLost, when set, runs at the start of every Lost call (tests
	// that race a host's end against the engine's question).
	BeforeLost func(taskID string)

	mu        sync.Mutex
	sink      gse.Sink
	dead      map[int64]bool
	attempts  map[string]int // step prefix + host → starts
	starts    []Start
	hosts     map[hostRef]*fakeHost
	queue     []gse.Event
	delivered []gse.Event
	release   chan struct{}
	wake      chan struct{}
	stop      chan struct{}
	done      chan struct{}
	stopped   bool
	lostAsked int
}

// Start records one StartScript / StartFile call.
type Start struct {
	TaskID string
	Hosts  []int64
	Script *gse.ScriptTask
	File   *gse.FileTask
}

type fakeHost struct {
	stop     chan struct{} // closed by Stop
	once     sync.Once
	gone     chan struct{} // closed by Forget: the host never reports
	goneOnce sync.Once
}

func (fh *fakeHost) forget() { fh.goneOnce.Do(func() { close(fh.gone) }) }

var _ gse.Transport = (*Transport)(nil)

// NewTransport starts a fake transport; Close stops it.
func NewTransport() *Transport {
	t := &Transport{dead: map[int64]bool{}, attempts: map[string]int{}, hosts: map[hostRef]*fakeHost{},
		release: make(chan struct{}), wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go t.pump()
	return t
}

// SetSink points delivery at sink (nil pauses delivery).
func (t *Transport) SetSink(sink gse.Sink) {
	t.mu.Lock()
	t.sink = sink
	t.mu.Unlock()
	t.poke()
}

// SetAlive marks host ids alive or dead for AgentStatus (default alive).
func (t *Transport) SetAlive(alive bool, ids ...int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, id := range ids {
		t.dead[id] = !alive
	}
}

// Release lets every held host finish.
func (t *Transport) Release() {
	t.mu.Lock()
	defer t.mu.Unlock()
	close(t.release)
	t.release = make(chan struct{})
}

// Replay queues again every event delivered so far, as a transport that
// lost its acknowledgements would.
func (t *Transport) Replay() {
	t.mu.Lock()
	t.queue = append(append([]gse.Event(nil), t.delivered...), t.queue...)
	t.mu.Unlock()
	t.poke()
}

// Starts returns the Start calls so far.
func (t *Transport) Starts() []Start {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Start(nil), t.starts...)
}

// Pending is how many events wait for the sink.
func (t *Transport) Pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.queue)
}

// Close stops delivery.
func (t *Transport) Close() {
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	t.stopped = true
	close(t.stop)
	t.mu.Unlock()
	<-t.done
}

// StartScript implements gse.Transport.
func (t *Transport) StartScript(_ context.Context, task gse.ScriptTask) error {
	st := Start{TaskID: task.TaskID, Script: &task}
	if err := t.refused(st); err != nil {
		return err
	}
	t.begin(st, task.Hosts, task.Timeout)
	return nil
}

// StartFile implements gse.Transport.
func (t *Transport) StartFile(_ context.Context, task gse.FileTask) error {
	st := Start{TaskID: task.TaskID, File: &task}
	if err := t.refused(st); err != nil {
		return err
	}
	t.begin(st, task.Targets, task.Timeout)
	return nil
}

func (t *Transport) refused(st Start) error {
	if t.Refuse == nil {
		return nil
	}
	return t.Refuse(st)
}

func (t *Transport) begin(st Start, hosts []gse.Host, timeout time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	step := stepOf(st.TaskID)
	for _, h := range hosts {
		st.Hosts = append(st.Hosts, h.ID)
		key := fmt.Sprintf("%s/%d", step, h.ID)
		t.attempts[key]++
		fh := &fakeHost{stop: make(chan struct{}), gone: make(chan struct{})}
		t.hosts[hostRef{st.TaskID, h.ID}] = fh
		run := Run{TaskID: st.TaskID, Host: h, Script: st.Script, File: st.File, Attempt: t.attempts[key]}
		go t.runHost(run, fh, timeout, t.release)
	}
	t.starts = append(t.starts, st)
}

func (t *Transport) runHost(run Run, fh *fakeHost, timeout time.Duration, release chan struct{}) {
	out := Outcome{Output: []string{"hello\n"}}
	if t.Behave != nil {
		out = t.Behave(run)
	}
	start := time.Now()
	var offset int64
	for _, chunk := range out.Output {
		t.emit(gse.Event{Kind: gse.EventOutput, TaskID: run.TaskID, HostID: run.Host.ID,
			Output: &gse.OutputChunk{Offset: offset, Data: []byte(chunk)}})
		offset += int64(len(chunk))
	}
	if run.File != nil {
		for _, src := range run.File.Sources {
			if src.Host != nil { // the source host's upload, as GSE reports it
				t.emit(gse.Event{Kind: gse.EventFile, TaskID: run.TaskID, HostID: src.Host.ID, File: &gse.FileProgress{
					Mode: 0, SrcHostID: src.Host.ID, SrcPath: src.Path, Size: 10, Bytes: 10, Percent: 100, Status: gse.FileStatusFinished}})
			}
			t.emit(gse.Event{Kind: gse.EventFile, TaskID: run.TaskID, HostID: run.Host.ID, File: &gse.FileProgress{
				Mode: 1, SrcPath: src.Path + src.BlobKey, DestPath: run.File.TargetDir + "/" + src.Name,
				Size: 10, Bytes: 10, Percent: 100, Status: gse.FileStatusFinished, Message: "download finished"}})
		}
	}
	res := &gse.HostResult{ExitCode: out.ExitCode, Status: out.Status, Tag: out.Tag, Start: start, Offset: offset}
	if res.Status == 0 {
		res.Status = gse.HostStatusSuccess
		if out.ExitCode != 0 {
			res.Status = gse.HostStatusScriptNonZeroExit
		}
	}
	var wait <-chan time.Time
	if out.Delay > 0 {
		wait = time.After(out.Delay)
	} else if !out.Hold {
		closed := make(chan time.Time)
		close(closed)
		wait = closed
	}
	var hold <-chan struct{}
	if out.Hold {
		hold = release
	}
	var expire <-chan time.Time
	if timeout > 0 && !out.Deaf {
		expire = time.After(timeout)
	}
	stop := fh.stop
	if out.Deaf {
		stop = nil
	}
	select {
	case <-wait:
	case <-hold:
	case <-expire:
		res.Status, res.ExitCode, res.ErrorCode = gse.HostStatusScriptTimeout, -1, gse.ErrorCodeOther
	case <-stop:
		res.Status, res.ExitCode, res.ErrorCode = gse.HostStatusTerminateSuccess, -1, gse.ErrorCodeTerminated
	case <-t.stop:
		return
	case <-fh.gone:
		return
	}
	if res.Status != gse.HostStatusTerminateSuccess && res.Status != gse.HostStatusScriptTimeout {
		for _, chunk := range out.Tail {
			t.emit(gse.Event{Kind: gse.EventOutput, TaskID: run.TaskID, HostID: run.Host.ID,
				Output: &gse.OutputChunk{Offset: offset, Data: []byte(chunk)}})
			offset += int64(len(chunk))
		}
		res.Offset = offset
	}
	res.End = time.Now()
	t.emit(gse.Event{Kind: gse.EventResult, TaskID: run.TaskID, HostID: run.Host.ID, Result: res})
}

// Stop implements gse.Transport: running hosts report 403.
func (t *Transport) Stop(_ context.Context, taskID string, hostIDs []int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for ref, fh := range t.hosts {
		if ref.task != taskID || len(hostIDs) > 0 && !contains(hostIDs, ref.id) {
			continue
		}
		fh.once.Do(func() { close(fh.stop) })
	}
	return nil
}

// AgentStatus implements gse.Transport.
func (t *Transport) AgentStatus(_ context.Context, hosts []gse.Host) ([]gse.AgentState, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]gse.AgentState, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, gse.AgentState{HostID: h.ID, AgentID: h.AgentID, Alive: !t.dead[h.ID], Version: "fake-1", Seen: time.Now()})
	}
	return out, nil
}

func (t *Transport) emit(ev gse.Event) {
	t.mu.Lock()
	t.queue = append(t.queue, ev)
	t.mu.Unlock()
	t.poke()
}

func (t *Transport) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// pumpBatch is how many events one sink call carries at most.
const pumpBatch = 256

// pump delivers queued events in order, retrying while the sink refuses.
func (t *Transport) pump() {
	defer close(t.done)
	for {
		t.mu.Lock()
		sink := t.sink
		n := min(len(t.queue), pumpBatch)
		batch := append([]gse.Event(nil), t.queue[:n]...)
		t.mu.Unlock()
		if sink == nil || n == 0 {
			select {
			case <-t.wake:
			case <-t.stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		if err := sink(context.Background(), batch); err != nil {
			select {
			case <-t.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			continue
		}
		t.mu.Lock()
		t.queue = t.queue[n:]
		t.delivered = append(t.delivered, batch...)
		t.mu.Unlock()
	}
}

// hostRef names one host of one task.
type hostRef struct {
	task string
	id   int64
}

// stepOf is the step part of an engine task id "<step>:<count>:<batch>".
func stepOf(taskID string) string {
	for i := 0; i < len(taskID); i++ {
		if taskID[i] == ':' {
			return taskID[:i]
		}
	}
	return taskID
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
