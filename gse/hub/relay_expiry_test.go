package hub_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/gse/wire"
)

// startHungRelay dispatches a file task whose source agent never answers
// and has the target forward n reads to it.
func startHungRelay(t *testing.T, th *testHub, id, srcIP, dstIP string, n int) (src, dst *rawAgent) {
	src = th.dialRaw(t, id+"-source", srcIP)
	dst = th.dialRaw(t, id+"-target", dstIP)
	srcHost, dstHost := th.waitHost(t, srcIP), th.waitHost(t, dstIP)
	require.NoError(t, th.hub.StartFile(t.Context(), gse.FileTask{TaskID: id, Targets: []gse.Host{dstHost}, TargetDir: "/tmp/dst",
		Sources: []gse.FileSource{{Host: &srcHost, Path: "/tmp/src"}}, Mode: gse.TransferForce, Timeout: wait}))
	require.Equal(t, id, dst.next(t, wire.TypeRunFile).TaskID)
	for i := range n {
		dst.send(t, &wire.Message{Type: wire.TypeRead, TaskID: id, Read: &wire.Read{ID: uint64(i + 1), TaskID: id, Op: wire.OpRead,
			Source: wire.FileSource{HostID: srcHost.ID, Path: "/tmp/src"}, Path: "/tmp/src/a", Length: 10}})
	}
	for range n {
		src.next(t, wire.TypeRead) // forwarded, never answered
	}
	require.Equal(t, n, th.hub.Stats().ReadsInFlight)
	return src, dst
}

// TestHungSourceReadsReleasedWhenTaskEnds: the target's task ends (timed
// out) while the source hangs; the forwarded reads and their slots are let
// go instead of being held until the target reconnects.
func TestHungSourceReadsReleasedWhenTaskEnds(t *testing.T) {
	th := startHub(t, nil)
	_, dst := startHungRelay(t, th, "hung-end", "127.0.0.71", "127.0.0.72", 5)
	dst.send(t, &wire.Message{Type: wire.TypeResult, TaskID: "hung-end", Result: &gse.HostResult{Status: gse.HostStatusTaskTimeout}})
	require.Eventually(t, func() bool { return th.hub.Stats().ReadsInFlight == 0 }, wait, 10*time.Millisecond,
		"the reads of an ended task are released")
}

// TestHungSourceReadsExpire: a source that never answers a forwarded read
// holds the slot only until the relay deadline; the target then gets a
// retryable (offline) failure.
func TestHungSourceReadsExpire(t *testing.T) {
	th := startHub(t, nil)
	_, dst := startHungRelay(t, th, "hung-expire", "127.0.0.73", "127.0.0.74", 3)
	th.hub.SweepRelaysAt(time.Now().Add(time.Second))
	require.Equal(t, 3, th.hub.Stats().ReadsInFlight, "not expired before the deadline")
	th.hub.SweepRelaysAt(time.Now().Add(hub.RelayTimeout + time.Second))
	for range 3 {
		require.Equal(t, wire.CodeOffline, dst.next(t, wire.TypeReadReply).Reply.Code)
	}
	require.Equal(t, 0, th.hub.Stats().ReadsInFlight)
}
