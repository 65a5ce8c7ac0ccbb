package wire_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

func TestCleanAbs(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"/data/x", "/data/x", false},
		{"/data//x/", "/data/x", false},
		{"/data/./x", "/data/x", false},
		{"/", "/", false},
		{"", "", true},
		{"data/x", "", true},
		{"/data/../etc", "", true},
		{"/data/x/..", "", true},
		{"/a/\x00", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := wire.CleanAbs(tt.in)
			if tt.bad {
				require.True(t, errors.Is(err, wire.ErrBadPath), "got %v", err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestCleanRel(t *testing.T) {
	for _, ok := range []string{"a", "a/b.txt", "dir/sub/file"} {
		_, err := wire.CleanRel(ok)
		require.NoError(t, err, ok)
	}
	for _, bad := range []string{"", "/a", "../a", "a/../b", "a/./b", "a//b", "a/"} {
		_, err := wire.CleanRel(bad)
		require.True(t, errors.Is(err, wire.ErrBadPath), bad)
	}
}

func TestTransferDir(t *testing.T) {
	day := time.Date(2024, 3, 9, 10, 0, 0, 0, time.UTC)
	host := wire.FileSource{HostID: 3, CloudID: 2, IP: "10.0.0.5", Path: "/x"}
	blob := wire.FileSource{BlobKey: "k/x"}
	tests := []struct {
		mode int
		src  wire.FileSource
		want string
	}{
		{gse.TransferStrict, host, "/t"},
		{gse.TransferForce, host, "/t"},
		{gse.TransferSafetyIP, host, "/t/2_10.0.0.5"},
		{gse.TransferSafetyDateIP, host, "/t/2024-03-09/2_10.0.0.5"},
		{gse.TransferSafetyIP, blob, "/t/0_0.0.0.0"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, wire.TransferDir(tt.mode, "/t", tt.src, day))
	}
}

func TestValidateFileJob(t *testing.T) {
	ok := wire.FileJob{TargetDir: "/t", Mode: gse.TransferForce, Sources: []wire.FileSource{{HostID: 1, Path: "/a"}, {BlobKey: "k/b", Name: "b"}}}
	require.NoError(t, wire.ValidateFileJob(&ok))
	tests := []struct {
		name string
		mod  func(j *wire.FileJob)
	}{
		{"relative target", func(j *wire.FileJob) { j.TargetDir = "t" }},
		{"dotdot target", func(j *wire.FileJob) { j.TargetDir = "/t/../etc" }},
		{"bad mode", func(j *wire.FileJob) { j.Mode = 9 }},
		{"no sources", func(j *wire.FileJob) { j.Sources = nil }},
		{"name with slash", func(j *wire.FileJob) { j.Sources[0].Name = "a/b" }},
		{"name dotdot", func(j *wire.FileJob) { j.Sources[0].Name = ".." }},
		{"relative source", func(j *wire.FileJob) { j.Sources[0].Path = "a" }},
		{"dotdot blob key", func(j *wire.FileJob) { j.Sources[1].BlobKey = "../k" }},
		{"host and blob", func(j *wire.FileJob) { j.Sources[0].BlobKey = "k" }},
		{"neither", func(j *wire.FileJob) { j.Sources[0] = wire.FileSource{Path: "/a"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := ok
			j.Sources = append([]wire.FileSource(nil), ok.Sources...)
			tt.mod(&j)
			require.Error(t, wire.ValidateFileJob(&j))
		})
	}
}

func TestLimitersBlock(t *testing.T) {
	var l wire.Limiters
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// 10 bytes/s: the first burst passes, the next has to wait far longer than the deadline.
	require.NoError(t, l.Wait(ctx, "task", 10, 10))
	require.Error(t, l.Wait(ctx, "task", 10, 10))
	// Other tasks and unlimited waits are not affected.
	require.NoError(t, l.Wait(ctx, "other", 10, 10))
	require.NoError(t, l.Wait(ctx, "task", 0, 1<<30))
}
