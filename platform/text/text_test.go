package text

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestTruncate(t *testing.T) {
	zh := strings.Repeat("中", 256) // 3 bytes each
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short ascii kept", "abc", 10, "abc"},
		{"exact length kept", "abcdef", 6, "abcdef"},
		{"ascii cut", "abcdef", 4, "abcd"},
		{"no limit", zh, 0, zh},
		{"multi-byte at the boundary", zh, 256, strings.Repeat("中", 85)},
		{"multi-byte exactly fits", "中中", 6, "中中"},
		{"one byte short of a character", "中中", 5, "中"},
		{"emoji at the boundary", "ab😀cd", 4, "ab"},
		{"emoji fits", "ab😀cd", 6, "ab😀"},
		{"invalid byte replaced", "a\xffb", 10, "a\uFFFDb"},
		{"run of invalid bytes is one replacement", "a\xff\xfe\xfdb", 10, "a\uFFFDb"},
		{"cut half a character in the input", "中中"[:5], 10, "中\uFFFD"},
		{"replacement cut whole", "ab\xff", 4, "ab"},
		{"issue 7 tag cut at 256 bytes", "中中中"[:7], 256, "中中\uFFFD"},
		{"empty", "", 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.in, tt.max)
			require.Equal(t, tt.want, got)
			require.True(t, utf8.ValidString(got))
			if tt.max > 0 {
				require.LessOrEqual(t, len(got), tt.max)
			}
		})
	}
}

func TestTruncateChars(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short kept", "中文", 5, "中文"},
		{"exact kept", "中文", 2, "中文"},
		{"cut on characters", strings.Repeat("中", 300), 256, strings.Repeat("中", 256)},
		{"emoji counts as one", "😀😀😀", 2, "😀😀"},
		{"invalid replaced then counted", "a\xffbc", 3, "a\uFFFDb"},
		{"no limit", "abc", 0, "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TruncateChars(tt.in, tt.max)
			require.Equal(t, tt.want, got)
			require.True(t, utf8.ValidString(got))
		})
	}
}

func TestTruncateMarked(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits, no marker", "abc", 3, "abc"},
		{"cut with marker", "abcdef", 5, "ab..."},
		{"marker after a whole character", "中中中", 7, "中..."},
		{"marker longer than the room", "abcdef", 2, ".."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TruncateMarked(tt.in, tt.max, "...")
			require.Equal(t, tt.want, got)
			require.LessOrEqual(t, len(got), tt.max)
		})
	}
}

func TestValid(t *testing.T) {
	require.Equal(t, "ok", Valid("ok"))
	require.Equal(t, "\uFFFD", Valid("\xc0"))
	require.Equal(t, "中\uFFFD", ValidBytes([]byte("中中")[:5]))
	require.Equal(t, "中", ValidBytes([]byte("中")))
}

func TestRuneBoundary(t *testing.T) {
	zh := []byte("a中")
	tests := []struct {
		name string
		in   []byte
		want int
	}{
		{"empty", nil, 0},
		{"ascii", []byte("abc"), 3},
		{"whole character", zh, 4},
		{"one byte of three", zh[:2], 1},
		{"two bytes of three", zh[:3], 1},
		{"three bytes of an emoji", []byte("😀")[:3], 0},
		{"whole emoji", []byte("x😀"), 5},
		{"invalid byte is not held", []byte("a\xff"), 2},
		{"stray continuation is not held", []byte("a\x80"), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, RuneBoundary(tt.in))
		})
	}
}
