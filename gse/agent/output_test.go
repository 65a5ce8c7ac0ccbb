package agent

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOutputWriterCap(t *testing.T) {
	tests := []struct {
		name   string
		limit  int64
		writes []string
		want   string
	}{
		{"under the cap", 10, []string{"abc", "def"}, "abcdef"},
		{"exactly the cap", 6, []string{"abc", "def"}, "abcdef"},
		{"over in one write", 4, []string{"abcdef", "gh"}, "abcd" + TruncatedMarker(4)},
		{"over across writes", 5, []string{"abc", "def", "ghi"}, "abcde" + TruncatedMarker(5)},
		{"no cap", 0, []string{"abc", "def"}, "abcdef"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bytes.Buffer
			w := &outputWriter{limit: tt.limit, write: func(b []byte) error { _, err := got.Write(b); return err }}
			for _, s := range tt.writes {
				n, err := w.Write([]byte(s))
				require.NoError(t, err)
				require.Equal(t, len(s), n)
			}
			require.Equal(t, tt.want, got.String())
		})
	}
}

func TestTagScanner(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   string
	}{
		{"success", []string{"x\njob_success:[all good]\ny\n"}, "all good"},
		{"fail split over chunks", []string{"job_fa", "il:[bro", "ken]\n"}, "broken"},
		{"last wins", []string{"job_success:[a]\njob_fail:[b]\n"}, "b"},
		{"unterminated last line", []string{"job_success:[tail]"}, "tail"},
		{"not a whole line", []string{"say job_success:[x] now\n"}, ""},
		{"blanks and CR", []string{"  job_success:[ok]\r\n"}, "ok"},
		{"empty message", []string{"job_fail:[]\n"}, ""},
		{"long message cut", []string{"job_success:[" + strings.Repeat("é", 300) + "]\n"}, strings.Repeat("é", 256)},
		{"overlong line ignored", []string{strings.Repeat("y", maxTagLine+1), "job_success:[x]\n"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s tagScanner
			for _, c := range tt.chunks {
				s.feed([]byte(c))
			}
			require.Equal(t, tt.want, s.result())
		})
	}
}

func TestOutputWriterKeepsDrainingAfterSpoolError(t *testing.T) {
	calls := 0
	w := &outputWriter{limit: 100, write: func([]byte) error { calls++; return errors.New("disk full") }}
	for range 3 {
		n, err := w.Write([]byte("abc"))
		require.NoError(t, err)
		require.Equal(t, 3, n)
	}
	require.Equal(t, 1, calls)
	require.EqualError(t, w.err, "disk full")
}
