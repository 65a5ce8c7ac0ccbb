package gsetest_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
)

func outputEvent(task string, host, offset int64, data string) gse.Event {
	return gse.Event{TaskID: task, HostID: host, Kind: gse.EventOutput, Output: &gse.OutputChunk{Offset: offset, Data: []byte(data)}}
}

func TestRecorderQueries(t *testing.T) {
	rec := gsetest.NewRecorder()
	rec.RefuseNext(2)
	ctx := context.Background()
	first := []gse.Event{outputEvent("t", 1, 0, "ab")}
	require.Error(t, rec.Sink(ctx, first))
	require.Error(t, rec.Sink(ctx, first))
	require.NoError(t, rec.Sink(ctx, first), "only the next two calls are refused")
	require.NoError(t, rec.Sink(ctx, []gse.Event{
		{TaskID: "t", HostID: 1, Kind: gse.EventFile, File: &gse.FileProgress{DestPath: "/d/f", Percent: 50}},
		outputEvent("t", 2, 0, "other host"),
		outputEvent("t", 1, 2, "cd"),
		{TaskID: "t", HostID: 1, Kind: gse.EventFile, File: &gse.FileProgress{DestPath: "/d/f", Percent: 100}},
		{TaskID: "t", HostID: 1, Kind: gse.EventResult, Result: &gse.HostResult{Status: gse.HostStatusSuccess}},
	}))

	require.Equal(t, "abcd", rec.StrictOutput(t, "t", 1))
	require.Len(t, rec.HostEvents("t", 1), 5)
	require.Empty(t, rec.HostEvents("other", 1))
	progress := rec.FileProgress("t", 1)
	require.Len(t, progress, 2)
	require.Equal(t, []int{50, 100}, []int{progress[0].Percent, progress[1].Percent})
	results := rec.WaitResults(t, "t", gsetest.Wait, gse.Host{ID: 1})
	require.Equal(t, map[int64]gse.HostResult{1: {Status: gse.HostStatusSuccess}}, results)
	require.Empty(t, rec.Violations())
}

// failingTB records a failure and ends its goroutine, as testing.T does.
type failingTB struct {
	testing.TB
	failed bool
}

func (f *failingTB) Helper()                   {}
func (f *failingTB) Errorf(string, ...any)     { f.failed = true }
func (f *failingTB) FailNow()                  { f.failed = true; runtime.Goexit() }
func (f *failingTB) Fatalf(s string, a ...any) { f.Errorf(s, a...); f.FailNow() }

func TestStrictOutputRefusesARepeatedChunk(t *testing.T) {
	rec := gsetest.NewRecorder()
	require.NoError(t, rec.Sink(context.Background(), []gse.Event{outputEvent("t", 1, 0, "ab"), outputEvent("t", 1, 0, "ab")}))
	require.Equal(t, "ab", rec.Output("t", 1), "Output tolerates the repeat")
	ft := &failingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rec.StrictOutput(ft, "t", 1)
	}()
	<-done
	require.True(t, ft.failed)
}
