package hub_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

// TestReadFloodIsBounded: an agent holding a running file task floods the
// hub with reads the upload limit holds back; the hub keeps at most 64 of
// them in flight and refuses the rest instead of parking a goroutine each.
func TestReadFloodIsBounded(t *testing.T) {
	th := startHub(t, nil)
	src := th.dialRaw(t, "flood-source", "127.0.0.67")
	dst := th.dialRaw(t, "flood-target", "127.0.0.68")
	srcHost, dstHost := th.waitHost(t, "127.0.0.67"), th.waitHost(t, "127.0.0.68")
	require.NoError(t, th.hub.StartFile(t.Context(), gse.FileTask{TaskID: "flood", Targets: []gse.Host{dstHost}, TargetDir: "/tmp/dst",
		Sources: []gse.FileSource{{Host: &srcHost, Path: "/tmp/src"}}, Mode: gse.TransferForce, Timeout: wait, UploadLimit: wire.MaxChunk}))
	require.Equal(t, "flood", dst.next(t, wire.TypeRunFile).TaskID)

	const reads = 300
	for i := range reads {
		dst.send(t, &wire.Message{Type: wire.TypeRead, TaskID: "flood", Read: &wire.Read{ID: uint64(i + 1), TaskID: "flood", Op: wire.OpRead,
			Source: wire.FileSource{HostID: srcHost.ID, Path: "/tmp/src"}, Path: "/tmp/src/a", Length: wire.MaxChunk}})
	}
	refused := 0
	for refused < reads-64 {
		m := dst.next(t, wire.TypeReadReply)
		require.Equal(t, wire.CodeBusy, m.Reply.Code)
		require.Contains(t, m.Reply.Error, "reads in flight")
		refused++
	}
	require.Equal(t, 64, th.hub.Stats().ReadsInFlight)
	// The upload limit lets a read through to the source now and then;
	// the source's reply frees its slot.
	fwd := src.next(t, wire.TypeRead)
	src.send(t, &wire.Message{Type: wire.TypeReadReply, TaskID: "flood", Reply: &wire.ReadReply{ID: fwd.Read.ID, EOF: true}, Data: []byte("x")})
	require.Empty(t, dst.next(t, wire.TypeReadReply).Reply.Code)
	require.Eventually(t, func() bool { return th.hub.Stats().ReadsInFlight == 63 }, wait, 10*time.Millisecond)

	require.NoError(t, dst.conn.CloseNow())
	require.Eventually(t, func() bool { return th.hub.Stats().ReadsInFlight == 0 }, wait, 10*time.Millisecond,
		"the reads of a closed connection are released")
}
