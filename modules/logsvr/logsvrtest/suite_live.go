package logsvrtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/stretchr/testify/require"
)

func testWatch(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(30)
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	ch, err := svc.Watch(ctx, ref, 1)
	require.NoError(t, err)
	all, err := svc.Watch(ctx, ref, 0)
	require.NoError(t, err)

	write(t, svc, chunk(ref, 2, 0, "other host"), chunk(ref, 1, 0, "first "))
	write(t, svc, chunk(ref, 1, 6, "second"))
	var got strings.Builder
	var next int64
	for got.Len() < len("first second") {
		select {
		case c := <-ch:
			require.Equal(t, int64(1), c.HostID, "a host watch sees only its host")
			require.Equal(t, next, c.Offset)
			got.Write(c.Data)
			next = c.Offset + int64(len(c.Data))
		case <-ctx.Done():
			t.Fatalf("no chunk delivered, got %q so far", got.String())
		}
	}
	require.Equal(t, "first second", got.String())

	hosts := map[int64]bool{}
	for len(hosts) < 2 {
		select {
		case c := <-all:
			hosts[c.HostID] = true
		case <-ctx.Done():
			t.Fatalf("step watch saw hosts %v only", hosts)
		}
	}
	cancel()
	require.Eventually(t, func() bool {
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return true
				}
			default:
				return false
			}
		}
	}, 5*time.Second, 10*time.Millisecond, "the channel closes when ctx ends")
}

func testConcurrent(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(31)
	const hosts, lines = 40, 50
	var wg sync.WaitGroup
	errc := make(chan error, hosts)
	for h := int64(1); h <= hosts; h++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var off int64
			var prev []byte
			for i := 0; i < lines; i++ {
				line := []byte(fmt.Sprintf("host %d line %d\n", h, i))
				chunks := []logsvr.ScriptChunk{{HostKey: hostKey(ref, h), Offset: off, Data: line}}
				if i%5 == 4 { // redeliver the previous line with this one
					chunks = append(chunks, logsvr.ScriptChunk{HostKey: hostKey(ref, h), Offset: off - int64(len(prev)), Data: append(prev, line...)})
				}
				if err := svc.WriteScript(context.Background(), chunks); err != nil {
					errc <- err
					return
				}
				off += int64(len(line))
				prev = line
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		require.NoError(t, err)
	}
	ids := make([]int64, hosts)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	logs, err := svc.ReadHosts(ctxT(t), ref, ids)
	require.NoError(t, err)
	for _, l := range logs {
		var want strings.Builder
		for i := 0; i < lines; i++ {
			fmt.Fprintf(&want, "host %d line %d\n", l.HostID, i)
		}
		require.Equal(t, want.String(), string(l.Content), "host %d", l.HostID)
	}
	listed, err := svc.ListHosts(ctxT(t), ref)
	require.NoError(t, err)
	require.Len(t, listed, hosts)
}

func testReopen(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(32)
	c := chunk(ref, 1, 0, "before stop\n")
	c.Host = "0:10.0.0.1"
	write(t, svc, c)
	require.NoError(t, svc.Flush(ctxT(t)))
	write(t, svc, chunk(ref, 1, 12, "acknowledged, not flushed\n"))
	require.NoError(t, svc.WriteFile(ctxT(t), []logsvr.FileLog{{StepRef: ref, Mode: logsvr.ModeDownload, HostID: 1, SrcPath: "/a", Percent: 50,
		Lines: []logsvr.TimeLog{{Time: day0, Content: "half"}}}}))
	stopStore(t, svc)

	svc = open(suiteCap)
	l := whole(t, svc, hostKey(ref, 1))
	require.Equal(t, "before stop\nacknowledged, not flushed\n", string(l.Content))
	require.Equal(t, "0:10.0.0.1", l.Host)
	// a writer resuming after a crash re-sends from an older offset
	write(t, svc, chunk(ref, 1, 12, "acknowledged, not flushed\nresumed\n"))
	l = whole(t, svc, hostKey(ref, 1))
	require.Equal(t, "before stop\nacknowledged, not flushed\nresumed\n", string(l.Content))
	files, err := svc.ReadFileLogs(ctxT(t), ref, []int64{1}, logsvr.ModeDownload)
	require.NoError(t, err)
	require.Len(t, files, 1)
	require.Equal(t, 50, files[0].Percent)
	require.Equal(t, "half", files[0].Lines[0].Content)
}
