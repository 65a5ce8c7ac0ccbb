package gsetest_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
)

func TestFakeScript(t *testing.T) {
	rec := gsetest.NewRecorder()
	f := gsetest.NewFake(rec.Sink)
	t.Cleanup(f.Close)
	f.SetDefault(gsetest.Behavior{Output: "ok\n"})
	f.SetHost(2, gsetest.Behavior{Output: "bad\n", ExitCode: 3, Tag: "t"})
	f.SetOffline(3, true)
	hosts := []gse.Host{{ID: 1}, {ID: 2}, {ID: 3}}
	require.NoError(t, f.StartScript(t.Context(), gse.ScriptTask{TaskID: "s", Hosts: hosts}))

	res := rec.WaitResult(t, "s", 1, time.Second)
	require.Equal(t, gse.HostStatusSuccess, res.Status)
	require.Equal(t, "ok\n", rec.Output("s", 1))
	res = rec.WaitResult(t, "s", 2, time.Second)
	require.Equal(t, gse.HostStatusScriptNonZeroExit, res.Status)
	require.Equal(t, 3, res.ExitCode)
	require.Equal(t, "t", res.Tag)
	require.Equal(t, gse.HostStatusAgentError, rec.WaitResult(t, "s", 3, time.Second).Status)
	require.Len(t, f.Scripts(), 1)
	st, err := f.AgentStatus(t.Context(), hosts)
	require.NoError(t, err)
	require.True(t, st[0].Alive)
	require.False(t, st[2].Alive)
	require.Empty(t, rec.Violations())
}

func TestFakeStop(t *testing.T) {
	rec := gsetest.NewRecorder()
	f := gsetest.NewFake(rec.Sink)
	t.Cleanup(f.Close)
	f.SetDefault(gsetest.Behavior{Output: "started\n", Delay: time.Hour})
	require.NoError(t, f.StartScript(t.Context(), gse.ScriptTask{TaskID: "s", Hosts: []gse.Host{{ID: 1}, {ID: 2}}}))
	rec.WaitOutput(t, "s", 1, "started", time.Second)
	require.NoError(t, f.Stop(t.Context(), "s", []int64{1}))
	require.Equal(t, gse.HostStatusScriptTerminate, rec.WaitResult(t, "s", 1, time.Second).Status)
	_, done := rec.Result("s", 2)
	require.False(t, done, "host 2 was not stopped")
	require.Equal(t, []string{"s"}, f.Stops())
}

func TestFakeFileAndSinkRetry(t *testing.T) {
	rec := gsetest.NewRecorder()
	var refused atomic.Int32
	rec.Refuse(func([]gse.Event) error {
		if refused.Add(1) <= 2 {
			return errors.New("busy")
		}
		return nil
	})
	f := gsetest.NewFake(rec.Sink)
	t.Cleanup(f.Close)
	f.SetHost(2, gsetest.Behavior{Status: gse.HostStatusSourceNotExist, ErrorMsg: "gone"})
	src := gse.Host{ID: 9}
	require.NoError(t, f.StartFile(t.Context(), gse.FileTask{TaskID: "f", TargetDir: "/t", Targets: []gse.Host{{ID: 1}, {ID: 2}},
		Sources: []gse.FileSource{{Host: &src, Path: "/s/a.txt"}, {BlobKey: "k/b.txt", Name: "c.txt"}}}))
	require.Equal(t, gse.HostStatusSuccess, rec.WaitResult(t, "f", 1, time.Second).Status)
	files := rec.Files("f", 1)
	require.Equal(t, gse.FileStatusFinished, files["/t/a.txt"].Status)
	require.Equal(t, int64(9), files["/t/a.txt"].SrcHostID)
	require.Equal(t, gse.FileStatusFinished, files["/t/c.txt"].Status)
	res := rec.WaitResult(t, "f", 2, time.Second)
	require.Equal(t, gse.HostStatusSourceNotExist, res.Status)
	require.Equal(t, gse.FileStatusFailed, rec.Files("f", 2)["/t/a.txt"].Status)
	require.Len(t, f.Files(), 1)
	require.Empty(t, rec.Violations())
}

func TestRecorderViolations(t *testing.T) {
	rec := gsetest.NewRecorder()
	ctx := t.Context()
	require.NoError(t, rec.Sink(ctx, []gse.Event{
		{Kind: gse.EventOutput, TaskID: "t", HostID: 1, Output: &gse.OutputChunk{Offset: 0, Data: []byte("abc")}},
		{Kind: gse.EventOutput, TaskID: "t", HostID: 1, Output: &gse.OutputChunk{Offset: 1, Data: []byte("bcd")}},
	}))
	require.Equal(t, "abcd", rec.Output("t", 1), "overlapping chunks are read once")
	require.Empty(t, rec.Violations())
	require.NoError(t, rec.Sink(ctx, []gse.Event{{Kind: gse.EventOutput, TaskID: "t", HostID: 1, Output: &gse.OutputChunk{Offset: 9, Data: []byte("x")}}}))
	require.Len(t, rec.Violations(), 1, "a gap is a violation")
	require.NoError(t, rec.Sink(ctx, []gse.Event{
		{Kind: gse.EventResult, TaskID: "t", HostID: 1, Result: &gse.HostResult{Status: gse.HostStatusSuccess}},
		{Kind: gse.EventOutput, TaskID: "t", HostID: 1, Output: &gse.OutputChunk{Offset: 4, Data: []byte("late")}},
	}))
	require.Len(t, rec.Violations(), 2, "an event after the final result is a violation")
}
