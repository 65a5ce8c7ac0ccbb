package gse_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

func TestFileTaskDestDir(t *testing.T) {
	started := time.Date(2026, 3, 4, 5, 6, 7, 0, time.Local)
	src := gse.FileSource{Host: &gse.Host{CloudID: 2, IP: "10.0.0.7"}, Path: "/x/f"}
	tests := []struct {
		mode int
		src  gse.FileSource
		want string
	}{
		{gse.TransferStrict, src, "/dest"},
		{gse.TransferForce, src, "/dest"},
		{gse.TransferSafetyIP, src, "/dest/2_10.0.0.7"},
		{gse.TransferSafetyDateIP, src, "/dest/2026-03-04/2_10.0.0.7"},
		{gse.TransferSafetyIP, gse.FileSource{BlobKey: "k"}, "/dest/0_0.0.0.0"},
		{gse.TransferSafetyDateIP, gse.FileSource{BlobKey: "k"}, "/dest/2026-03-04/0_0.0.0.0"},
	}
	for _, tt := range tests {
		got := gse.FileTask{TargetDir: "/dest/", Mode: tt.mode}.DestDir(tt.src, started)
		require.Equal(t, tt.want, got)
	}
}
