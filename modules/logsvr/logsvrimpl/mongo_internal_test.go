package logsvrimpl

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/testenv"
	"github.com/stretchr/testify/require"
)

// twoMongoServices opens two services over one fresh database, as two
// logsvr processes, flushing only when asked.
func twoMongoServices(t *testing.T) (*service, *service) {
	uri := testenv.Require(t, "BKJOB_TEST_MONGO_URI")
	var b [6]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	db := "bkjob_logsvr_" + hex.EncodeToString(b[:])
	open := func() *service {
		be, err := newMongo(context.Background(), uri, db, discard())
		require.NoError(t, err)
		s := newService(be, tuning{capBytes: 1 << 30, flushInterval: time.Hour}, discard())
		t.Cleanup(func() { _ = s.Stop(context.Background()) })
		return s
	}
	a, c := open(), open()
	t.Cleanup(func() { _ = a.be.(*mongoBackend).db.Drop(context.Background()) })
	return a, c
}

func TestMongoTwoWritersOfOneHost(t *testing.T) {
	tests := []struct {
		name         string
		first, other string // what each process got from the host before flushing
		then         string // the next output, written by the second process
		want         string
	}{
		{"loser had less", "0123456789", "01234", "abc", "0123456789abc"},
		{"loser had more", "01234", "0123456789", "abc", "0123456789abc"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := twoMongoServices(t)
			ctx := context.Background()
			step := int64(100 + i)
			require.NoError(t, a.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(step, 1, 0, tc.first)}))
			require.NoError(t, b.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(step, 1, 0, tc.other)}))
			require.NoError(t, a.Flush(ctx))
			require.NoError(t, b.Flush(ctx), "the conflict is resolved, not returned")
			require.NoError(t, b.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(step, 1, int64(len(tc.want)-len(tc.then)), tc.then)}))
			require.NoError(t, b.Flush(ctx))
			for _, s := range []*service{a, b} {
				require.Equal(t, tc.want, string(readAll(t, s, step, 1).Content))
			}
		})
	}
}

func TestMongoRetriedFlushFindsItsOwnPieces(t *testing.T) {
	a, _ := twoMongoServices(t)
	ctx := context.Background()
	require.NoError(t, a.WriteScript(ctx, []logsvr.ScriptChunk{testChunk(1, 1, 0, "hello\n"), testChunk(1, 2, 0, "world\n")}))
	a.mu.Lock()
	pieces := append([]piece(nil), a.pending...)
	a.mu.Unlock()
	require.NoError(t, a.Flush(ctx))
	// the same pieces again, as after a flush that stored them but failed to answer
	conflicts, err := a.be.appendScript(ctx, pieces)
	require.NoError(t, err)
	require.Empty(t, conflicts)
	require.Equal(t, "hello\n", string(readAll(t, a, 1, 1).Content))
	require.Equal(t, "world\n", string(readAll(t, a, 1, 2).Content))
}
