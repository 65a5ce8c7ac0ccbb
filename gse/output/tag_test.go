package output

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
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
		{"job_success:[" + strings.Repeat("中", 256) + "]", strings.Repeat("中", 256), true},
		{"job_fail:[bad \xff\xfe byte]", "bad \uFFFD byte", true},
		{"job_success:[" + strings.Repeat("😀", 257) + "]", strings.Repeat("😀", 256), true},
	}
	for _, tt := range tests {
		tag, ok := parseTag([]byte(tt.line))
		require.Equal(t, tt.ok, ok, tt.line)
		require.Equal(t, tt.tag, tag, tt.line)
	}
}

func TestTags(t *testing.T) {
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
		{"overlong line ignored", []string{strings.Repeat("y", MaxTagLine+1), "job_success:[x]\n"}, ""},
		{"overlong tag line ignored", []string{"job_success:[" + strings.Repeat("x", MaxTagLine) + "]\n"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Tags
			for _, c := range tt.chunks {
				s.Feed([]byte(c))
			}
			require.Equal(t, tt.want, s.Finish())
		})
	}
}

func TestTagsAcrossChunks(t *testing.T) {
	var s Tags
	for _, part := range []string{"noise\njob_su", "ccess:[fir", "st]\nmore\njob_fail:[sec", "ond]"} {
		s.Feed([]byte(part))
	}
	require.Equal(t, "first", s.Tag(), "the last line has no newline yet")
	require.Equal(t, "second", s.Finish(), "the last tag wins")
	require.Equal(t, "second", s.Tag())
}
