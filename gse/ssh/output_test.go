package ssh

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	gseoutput "github.com/bkjob/bkjob/gse/output"
)

func TestOutputCapAndOffsets(t *testing.T) {
	tests := []struct {
		name   string
		limit  int64
		writes []string
		want   string
		tag    string
	}{
		{name: "under the cap", limit: 10, writes: []string{"abc", "def"}, want: "abcdef"},
		{name: "exactly the cap", limit: 6, writes: []string{"abc", "def"}, want: "abcdef"},
		{name: "over the cap", limit: 4, writes: []string{"abc", "def", "ghi"},
			want: "abcd" + gseoutput.TruncatedMarker(4)},
		{name: "tag past the cap", limit: 4, writes: []string{"abcdef\n", "job_fail:[late]\n"},
			want: "abcd" + gseoutput.TruncatedMarker(4), tag: "late"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOutput(tt.limit)
			var got strings.Builder
			for _, w := range tt.writes {
				got.Write(o.accept([]byte(w)))
			}
			require.Equal(t, tt.want, got.String())
			require.Equal(t, int64(len(tt.want)), o.offset)
			require.Equal(t, tt.tag, o.tags.Tag())
		})
	}
}

func TestPumpChunksAreContiguous(t *testing.T) {
	r, w := io.Pipe()
	o := newOutput(1 << 30)
	var chunks []gse.OutputChunk
	done := make(chan struct{})
	go func() {
		o.pump(r, time.Millisecond, func(c gse.OutputChunk) { chunks = append(chunks, c) })
		close(done)
	}()
	want := strings.Repeat("0123456789", 20000)
	for i := 0; i < len(want); i += 7000 {
		_, err := w.Write([]byte(want[i:min(i+7000, len(want))]))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	<-done
	var got strings.Builder
	for _, c := range chunks {
		require.Equal(t, int64(got.Len()), c.Offset)
		require.LessOrEqual(t, len(c.Data), maxChunkSize+readBufSize)
		got.Write(c.Data)
	}
	require.Equal(t, want, got.String())
	require.Greater(t, len(chunks), 1, "large output is split into chunks")
}

func TestPumpFinishesTheLastTagLine(t *testing.T) {
	o := newOutput(1 << 10)
	o.pump(strings.NewReader("x\njob_success:[no newline]"), time.Millisecond, func(gse.OutputChunk) {})
	require.Equal(t, "no newline", o.tags.Tag())
}
