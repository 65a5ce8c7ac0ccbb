package ssh

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

func TestParseTag(t *testing.T) {
	tests := []struct {
		line string
		tag  string
		ok   bool
	}{
		{"job_success:[deployed]", "deployed", true},
		{"  job_fail:[disk full]\r", "disk full", true},
		{"job_success:[]", "", true},
		{"job_success:[a]b]", "a]b", true},
		{"job_success:[no close", "", false},
		{"say job_success:[x]", "", false},
		{"job_done:[x]", "", false},
		{"job_success:[" + strings.Repeat("x", 300) + "]", strings.Repeat("x", 256), true},
		{"job_success:[" + strings.Repeat("界", 300) + "]", strings.Repeat("界", 256), true},
	}
	for _, tt := range tests {
		tag, ok := parseTag([]byte(tt.line))
		require.Equal(t, tt.ok, ok, tt.line)
		require.Equal(t, tt.tag, tag, tt.line)
	}
}

func TestTagScannerAcrossChunks(t *testing.T) {
	var s tagScanner
	for _, part := range []string{"noise\njob_su", "ccess:[fir", "st]\nmore\njob_fail:[sec", "ond]"} {
		s.feed([]byte(part))
	}
	require.Equal(t, "first", s.tag, "the last line has no newline yet")
	s.finish()
	require.Equal(t, "second", s.tag, "the last tag wins")

	var long tagScanner
	long.feed([]byte("job_success:[" + strings.Repeat("x", maxTagLine) + "]\n"))
	require.Empty(t, long.tag, "over-long lines are not tags")
}

func TestOutputCapAndOffsets(t *testing.T) {
	tests := []struct {
		name   string
		limit  int64
		writes []string
		want   string
	}{
		{name: "under the cap", limit: 10, writes: []string{"abc", "def"}, want: "abcdef"},
		{name: "exactly the cap", limit: 6, writes: []string{"abc", "def"}, want: "abcdef"},
		{name: "over the cap", limit: 4, writes: []string{"abc", "def", "ghi"},
			want: "abcd" + truncatedMarker(4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &output{limit: tt.limit}
			var got strings.Builder
			for _, w := range tt.writes {
				got.Write(o.accept([]byte(w)))
			}
			require.Equal(t, tt.want, got.String())
			require.Equal(t, int64(len(tt.want)), o.offset)
		})
	}
	require.Equal(t, "\n[bkjob: output truncated at 5242880 bytes]\n", truncatedMarker(5<<20))
}

func TestPumpChunksAreContiguous(t *testing.T) {
	r, w := io.Pipe()
	o := &output{limit: 1 << 30}
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
