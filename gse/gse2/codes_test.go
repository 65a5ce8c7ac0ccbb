package gse2

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/config"
)

func TestErrorCodeMapping(t *testing.T) {
	want := map[int]int{120: 303, 117: 310, 122: 311, 1326: 312, 119: 321, 126: 403}
	for _, c := range []int{104, 123, 127, 705, 706, 708, 709} {
		want[c] = 320
	}
	for _, c := range []int{701, 702, 703, 704, 707, 710} {
		want[c] = 329
	}
	for _, c := range []int{101, 102, 103, 105, 106, 107, 108, 109, 111, 112, 114, 118} {
		want[c] = 399
	}
	for code, status := range want {
		got, ok := hostStatusByErrorCode(code)
		require.True(t, ok, "code %d", code)
		require.Equal(t, status, got, "code %d", code)
	}
	for _, code := range []int{0, 110, 113, 115, 116, 121, 124, 125, 700, 711, 9999} {
		_, ok := hostStatusByErrorCode(code)
		require.False(t, ok, "code %d is not mapped", code)
	}
}

func TestFinalStatus(t *testing.T) {
	tests := []struct {
		name                  string
		status, code, exit    int
		wantStatus, wantError int
	}{
		{"success", StatusSuccess, 0, 0, gse.HostStatusSuccess, gse.ErrorCodeFinished},
		{"success non-zero exit", StatusSuccess, 0, 2, gse.HostStatusScriptNonZeroExit, gse.ErrorCodeFinished},
		{"failed non-zero exit", StatusFailed, 0, 2, gse.HostStatusScriptNonZeroExit, gse.ErrorCodeFinished},
		{"terminated", StatusDiscard, 126, 0, gse.HostStatusTerminateSuccess, gse.ErrorCodeTerminated},
		{"mapped code", StatusFailed, 122, 0, gse.HostStatusGSEUserError, gse.ErrorCodeOther},
		{"timeout unmapped", StatusTimeout, 9999, 0, gse.HostStatusGSEScriptTimeout, gse.ErrorCodeOther},
		{"discard unmapped", StatusDiscard, 9999, 0, gse.HostStatusGSETaskError, gse.ErrorCodeOther},
		{"failed unmapped", StatusFailed, 9999, 0, gse.HostStatusFailed, gse.ErrorCodeOther},
	}
	for _, tt := range tests {
		s, c := finalStatus(tt.status, tt.code, tt.exit, gse.HostStatusGSEScriptTimeout)
		require.Equal(t, tt.wantStatus, s, tt.name)
		require.Equal(t, tt.wantError, c, tt.name)
	}
}

func TestNormalizeExitCode(t *testing.T) {
	for raw, want := range map[int]int{0: 0, 1: 1, 255: 255, 256: 1, 512: 2, 768: 3, 65280: 255} {
		require.Equal(t, want, normalizeExitCode(raw), raw)
	}
}

func TestCadence(t *testing.T) {
	script := []struct{ at, want time.Duration }{
		{0, time.Second}, {10 * time.Second, time.Second}, {11 * time.Second, 2 * time.Second},
		{time.Minute, 2 * time.Second}, {61 * time.Second, 5 * time.Second}, {5 * time.Minute, 5 * time.Second},
		{6 * time.Minute, 10 * time.Second}, {time.Hour, 10 * time.Second},
	}
	for _, tt := range script {
		require.Equal(t, tt.want, ScriptCadence(tt.at), "script at %s", tt.at)
	}
	file := []struct{ at, want time.Duration }{
		{0, time.Second}, {2 * time.Second, time.Second}, {3 * time.Second, 2 * time.Second},
		{20 * time.Second, 2 * time.Second}, {21 * time.Second, 5 * time.Second}, {5 * time.Minute, 5 * time.Second},
		{6 * time.Minute, 10 * time.Second},
	}
	for _, tt := range file {
		require.Equal(t, tt.want, FileCadence(tt.at), "file at %s", tt.at)
	}
	c := Config{}.withDefaults()
	require.Equal(t, time.Second, c.ScriptCadence(0), "bk-job's cadence is the default")
	require.Equal(t, 60*time.Second, c.HTTPTimeout)
	require.Equal(t, 300*time.Second, c.TimeoutGrace)
	require.Equal(t, 60*time.Second, c.NoResultTimeout)
}

func TestFileStatus(t *testing.T) {
	require.Equal(t, gse.FileStatusWaiting, fileStatus(StatusUnstart, 0, 1))
	require.Equal(t, gse.FileStatusDownloading, fileStatus(StatusRunning, 115, 1))
	require.Equal(t, gse.FileStatusUploading, fileStatus(StatusRunning, 115, 0))
	require.Equal(t, gse.FileStatusFinished, fileStatus(StatusSuccess, 0, 1))
	require.Equal(t, gse.FileStatusFailed, fileStatus(StatusFailed, 104, 1))
}

func TestScriptContent(t *testing.T) {
	got, err := scriptContent(gse.ScriptTask{Language: gse.LangShell, Content: "#!/bin/bash\necho hi\n",
		Env: map[string]string{"B": "x'y", "A": "1"}, WorkDir: "/srv"})
	require.NoError(t, err)
	require.Equal(t, "#!/bin/bash\nexport A='1'\nexport B='x'\\''y'\ncd '/srv' || exit 1\necho hi\n", got)
	got, err = scriptContent(gse.ScriptTask{Language: gse.LangPython, Content: "print(1)"})
	require.NoError(t, err)
	require.Equal(t, "print(1)", got)
}

func TestMegabytes(t *testing.T) {
	for bps, want := range map[int64]int{0: 0, -1: 0, 1: 1, 1 << 20: 1, 1<<20 + 1: 2, 10 << 20: 10} {
		require.Equal(t, want, megabytes(bps), bps)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{URL: "http://gse", AppCode: "a", AppSecret: "b"}
	require.NoError(t, ok.Validate())
	for _, bad := range []Config{
		{AppCode: "a", AppSecret: "b"},
		{URL: "ftp://x", AppCode: "a", AppSecret: "b"},
		{URL: "http://x", AppCode: "a"},
	} {
		require.Error(t, bad.Validate())
	}
}

func TestConfigFrom(t *testing.T) {
	c := &config.Config{}
	c.GSE.GSE2 = config.GSE2{URL: "https://bkapi", AppCode: "job", AppSecret: "x", BlobAgent: "agent-1"}
	require.Equal(t, Config{URL: "https://bkapi", AppCode: "job", AppSecret: "x", BlobAgent: "agent-1"}, ConfigFrom(c))
}
