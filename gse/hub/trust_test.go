package hub_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

// TestJunkTaskIDsLeaveNoState: an agent naming 100,000 task ids the hub
// never dispatched leaves no entry, reaches no sink, and writes a bounded
// number of log lines; every message is counted.
func TestJunkTaskIDsLeaveNoState(t *testing.T) {
	th := startHub(t, nil)
	var sunk atomic.Int64
	th.onEvents = func(events []gse.Event) { sunk.Add(int64(len(events))) }
	ra := th.dialRaw(t, "raw-junk", "127.0.0.61")
	const n = 100_000
	for i := range n {
		id := fmt.Sprintf("junk-%d", i)
		m := &wire.Message{Type: wire.TypeResult, TaskID: id, Result: &gse.HostResult{Status: gse.HostStatusSuccess, Tag: "forged"}}
		switch i % 3 {
		case 0:
			m = &wire.Message{Type: wire.TypeOutput, TaskID: id, Data: []byte("forged\n")}
		case 1:
			m = &wire.Message{Type: wire.TypeProgress, TaskID: id, Seq: 1, Progress: &gse.FileProgress{Mode: 1, DestPath: "/etc/x"}}
		}
		ra.send(t, m)
	}
	require.Eventually(t, func() bool { return th.hub.Stats().Rejected == n }, 4*wait, 20*time.Millisecond,
		"rejected %d of %d", th.hub.Stats().Rejected, n)
	require.Zero(t, th.hub.Stats().Tasks, "no entry is kept for a junk task")
	require.Zero(t, sunk.Load(), "nothing reaches the sink")
	require.LessOrEqual(t, strings.Count(th.logs.String(), "drop agent message"), 40, "warnings are rate limited")
}

// TestForeignAgentCannotReportOnAnotherHostsTask: a second agent that names
// a task running on another host (in its hello and in its messages) is
// refused; the real host's result is the only one.
func TestForeignAgentCannotReportOnAnotherHostsTask(t *testing.T) {
	th := startHub(t, nil)
	runAgent(t, th.agentOptions(t, "127.0.0.62"))
	host := th.waitHost(t, "127.0.0.62")
	gate := filepath.Join(t.TempDir(), "gate")
	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "victim", Hosts: []gse.Host{host}, Language: gse.LangShell, Content: gatedScript, Params: gate}))
	th.rec.WaitOutput(t, "victim", host.ID, "before\n", wait)

	ra := th.dialRaw(t, "raw-foreign", "127.0.0.63", "victim")
	ack := ra.next(t, wire.TypeAck)
	require.Equal(t, "victim", ack.TaskID)
	require.True(t, ack.Ack.Done, "the hub tells the agent to drop a task it never dispatched to it")
	before := th.hub.Stats().Rejected
	ra.send(t, &wire.Message{Type: wire.TypeOutput, TaskID: "victim", Data: []byte("forged\n")})
	ra.send(t, &wire.Message{Type: wire.TypeProgress, TaskID: "victim", Seq: 1, Progress: &gse.FileProgress{Mode: 1, DestPath: "/etc/x"}})
	ra.send(t, &wire.Message{Type: wire.TypeResult, TaskID: "victim", Result: &gse.HostResult{Status: gse.HostStatusSuccess, Tag: "forged"}})
	require.Eventually(t, func() bool { return th.hub.Stats().Rejected == before+3 }, wait, 10*time.Millisecond)

	require.NoError(t, writeFile(gate))
	res := th.rec.WaitResult(t, "victim", host.ID, wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	for _, ev := range th.rec.Events("victim") {
		require.Equal(t, host.ID, ev.HostID, "an event of the foreign host reached the sink: %+v", ev)
	}
	require.Equal(t, "before\nafter\n", th.rec.Output("victim", host.ID))
	require.Empty(t, th.rec.Violations())
}

// TestFileEventsAndReadsFollowTheJob: a target reports progress only for
// its own downloads from the job's sources, and its reads reach the source
// with the job's upload limit, not the one it names.
func TestFileEventsAndReadsFollowTheJob(t *testing.T) {
	th := startHub(t, nil)
	src := th.dialRaw(t, "raw-source", "127.0.0.64")
	dst := th.dialRaw(t, "raw-target", "127.0.0.65")
	srcHost, dstHost := th.waitHost(t, "127.0.0.64"), th.waitHost(t, "127.0.0.65")
	const limit = 1 << 30
	require.NoError(t, th.hub.StartFile(t.Context(), gse.FileTask{TaskID: "copy", Targets: []gse.Host{dstHost}, TargetDir: "/tmp/dst",
		Sources: []gse.FileSource{{Host: &srcHost, Path: "/tmp/src"}}, Mode: gse.TransferForce, Timeout: wait, UploadLimit: limit}))
	require.Equal(t, "copy", dst.next(t, wire.TypeRunFile).TaskID)

	before := th.hub.Stats().Rejected
	progress := func(seq, srcID int64, mode int) *wire.Message {
		return &wire.Message{Type: wire.TypeProgress, TaskID: "copy", Seq: seq, Progress: &gse.FileProgress{
			Mode: mode, SrcHostID: srcID, SrcPath: "/tmp/src", DestPath: fmt.Sprintf("/tmp/dst/%d", seq), Status: gse.FileStatusDownloading}}
	}
	dst.send(t, progress(1, 99999, 1))      // a host that is not a source
	dst.send(t, progress(2, srcHost.ID, 0)) // an upload: the source's to report, not the target's
	src.send(t, progress(3, srcHost.ID, 1)) // the source host is not a target of the task
	dst.send(t, progress(4, srcHost.ID, 1)) // the one that belongs
	require.Eventually(t, func() bool { return len(th.rec.FileProgress("copy", dstHost.ID)) == 1 }, wait, 10*time.Millisecond)
	require.Equal(t, before+3, th.hub.Stats().Rejected)
	require.Equal(t, "/tmp/dst/4", th.rec.FileProgress("copy", dstHost.ID)[0].DestPath)
	require.Empty(t, th.rec.FileProgress("copy", srcHost.ID))

	dst.send(t, &wire.Message{Type: wire.TypeRead, TaskID: "copy", Read: &wire.Read{ID: 7, TaskID: "copy", Op: wire.OpRead,
		Source: wire.FileSource{HostID: srcHost.ID, Path: "/tmp/src"}, Path: "/tmp/src/a", Length: 10, UploadLimit: 0}})
	fwd := src.next(t, wire.TypeRead)
	require.Equal(t, int64(limit), fwd.Read.UploadLimit, "the source is told the task's limit")

	dst.send(t, &wire.Message{Type: wire.TypeResult, TaskID: "copy", Result: &gse.HostResult{Status: gse.HostStatusSuccess}})
	res := th.rec.WaitResult(t, "copy", dstHost.ID, wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status)
}

// TestEndedTaskIsReleasedAndLateReportsIgnored: once a task's result is
// delivered its entry goes; an agent that reconnects still holding it is
// told to drop it, and its repeated result is neither delivered again nor
// counted as junk.
func TestEndedTaskIsReleasedAndLateReportsIgnored(t *testing.T) {
	th := startHub(t, nil)
	ra := th.dialRaw(t, "raw-late", "127.0.0.66")
	host := th.waitHost(t, "127.0.0.66")
	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "once", Hosts: []gse.Host{host}, Language: gse.LangShell, Content: "true"}))
	require.Equal(t, "once", ra.next(t, wire.TypeRunScript).TaskID)
	ra.send(t, &wire.Message{Type: wire.TypeAccepted, TaskID: "once"})
	result := &wire.Message{Type: wire.TypeResult, TaskID: "once", Result: &gse.HostResult{Status: gse.HostStatusSuccess, Tag: "real"}}
	ra.send(t, result)
	require.True(t, ra.next(t, wire.TypeAck).Ack.Done)
	require.Eventually(t, func() bool { return th.hub.Stats().Tasks == 0 }, wait, 10*time.Millisecond, "the entry is released")
	require.NoError(t, ra.conn.CloseNow())

	before := th.hub.Stats().Rejected
	again := th.dialRaw(t, "raw-late", "127.0.0.66", "once")
	ack := again.next(t, wire.TypeAck)
	require.Equal(t, "once", ack.TaskID)
	require.True(t, ack.Ack.Done)
	again.send(t, result)
	require.True(t, again.next(t, wire.TypeAck).Ack.Done)
	require.Equal(t, before, th.hub.Stats().Rejected, "a late report of a task dispatched here is not junk")
	require.Len(t, th.rec.HostEvents("once", host.ID), 1)
	require.Empty(t, th.rec.Violations())
	require.Zero(t, th.hub.Stats().Tasks)
}
