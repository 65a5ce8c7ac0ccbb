package agent

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/output"
)

func TestOutputWriterSpoolsCappedOutputAndReadsTags(t *testing.T) {
	var got bytes.Buffer
	w := newOutputWriter(5, func(b []byte) error { _, err := got.Write(b); return err })
	for _, s := range []string{"abc", "def\njob_success:[", "done]\n"} {
		n, err := w.Write([]byte(s))
		require.NoError(t, err)
		require.Equal(t, len(s), n)
	}
	require.Equal(t, "abcde"+output.TruncatedMarker(5), got.String())
	require.Equal(t, "done", w.tags.Finish(), "tags are read past the cap")
	require.Equal(t, int64(5), w.saved)
}

func TestOutputWriterKeepsDrainingAfterSpoolError(t *testing.T) {
	calls := 0
	w := newOutputWriter(100, func([]byte) error { calls++; return errors.New("disk full") })
	for range 3 {
		n, err := w.Write([]byte("abc"))
		require.NoError(t, err)
		require.Equal(t, 3, n)
	}
	require.Equal(t, 1, calls)
	require.EqualError(t, w.err, "disk full")
	require.Zero(t, w.saved, "nothing was spooled")
}
