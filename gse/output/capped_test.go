package output

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCap(t *testing.T) {
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
		{"over after reaching it exactly", 3, []string{"abc", "d"}, "abc" + TruncatedMarker(3)},
		{"no cap", 0, []string{"abc", "def"}, "abcdef"},
		{"cut before a split character", 5, []string{"中中"}, "中" + TruncatedMarker(5)},
		{"cut after a whole character", 6, []string{"中中中"}, "中中" + TruncatedMarker(6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Cap{Limit: tt.limit}
			var got strings.Builder
			for _, w := range tt.writes {
				got.Write(c.Accept([]byte(w)))
			}
			require.Equal(t, tt.want, got.String())
			truncated := tt.want != strings.Join(tt.writes, "")
			require.Equal(t, truncated, c.Truncated())
			if truncated {
				require.Equal(t, int64(len(tt.want)-len(TruncatedMarker(tt.limit))), c.Kept())
			} else {
				require.Equal(t, int64(len(tt.want)), c.Kept())
			}
		})
	}
}

func TestTruncatedMarker(t *testing.T) {
	require.Equal(t, "\n[bkjob: output truncated at 5242880 bytes]\n", TruncatedMarker(5<<20))
}
