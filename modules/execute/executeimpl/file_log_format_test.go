package executeimpl

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/logsvr"
)

func TestFormatFileSize(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{-1, "0.0 Bytes"},
		{0, "0.0 Bytes"},
		{1, "1.0 Bytes"},
		{9, "9.0 Bytes"},
		{1023, "1023.0 Bytes"},
		{1024, "1.0 KB"},
		{1536, "1.5 KB"},
		{1258291, "1.2 MB"},
		{1 << 30, "1.0 GB"},
		{5 << 40, "5.0 TB"},
		{3 << 50, "3.0 PB"},
		{2048 << 50, "2048.0 PB"},
	} {
		require.Equal(t, tc.want, formatFileSize(tc.in), "%d bytes", tc.in)
	}
}

func TestFileStateLine(t *testing.T) {
	for _, tc := range []struct {
		name   string
		l      logsvr.FileLog
		detail string
		want   string
	}{
		{"download success", logsvr.FileLog{Mode: logsvr.ModeDownload, SrcPath: "/data/1.log", DestPath: "/tmp/1.log", Size: 9,
			Speed: 1024, Percent: 100, Status: gse.FileStatusFinished}, "",
			"FileName: /tmp/1.log FileSize: 9.0 Bytes State: dest agent success download file Speed: 1 KB/s Progress: 100% StatusDesc: dest agent success download file Detail: success"},
		{"upload success", logsvr.FileLog{Mode: logsvr.ModeUpload, SrcPath: "/data/1.log", Size: 9, Speed: 1024, Percent: 100,
			Status: gse.FileStatusFinished}, "success upload",
			"FileName: /data/1.log FileSize: 9.0 Bytes State: source agent success upload file Speed: 1 KB/s Progress: 100% StatusDesc: source agent success upload file Detail: success upload"},
		{"download failure", logsvr.FileLog{Mode: logsvr.ModeDownload, SrcPath: "/a", DestPath: "/b/a", Status: gse.FileStatusFailed},
			"no space left", "FileName: /b/a FileSize: 0.0 Bytes State: dest agent download file failed Speed: 0 KB/s Progress: 0% StatusDesc: dest agent download file failed Detail: no space left"},
	} {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, fileStateLine(tc.l, tc.detail)) })
	}
}

func TestWithUploads(t *testing.T) {
	at := time.Date(2021, 6, 28, 11, 32, 16, 0, time.UTC)
	down := func(src int64, path string, status int) logsvr.FileLog {
		return logsvr.FileLog{Mode: logsvr.ModeDownload, HostID: 2, SrcHostID: src, SrcPath: path, DestHostID: 2,
			DestPath: "/tmp/1.log", Size: 9, Percent: 100, Status: status, Lines: []logsvr.TimeLog{{Time: at, Content: "x"}}}
	}
	up := logsvr.FileLog{Mode: logsvr.ModeUpload, HostID: 1, SrcHostID: 1, SrcPath: "/data/1.log", Size: 9, Percent: 100,
		Status: gse.FileStatusFinished}
	made := up
	made.Lines = []logsvr.TimeLog{{Time: at, Content: "FileName: /data/1.log FileSize: 9.0 Bytes State: source agent success upload file " +
		"Speed: 0 KB/s Progress: 100% StatusDesc: source agent success upload file Detail: success"}}
	for _, tc := range []struct {
		name    string
		logs    []logsvr.FileLog
		uploads []logsvr.FileLog
		want    []logsvr.FileLog
	}{
		{"reported upload kept", []logsvr.FileLog{down(1, "/data/1.log", gse.FileStatusFinished)}, []logsvr.FileLog{up},
			[]logsvr.FileLog{down(1, "/data/1.log", gse.FileStatusFinished), up}},
		{"missing upload made", []logsvr.FileLog{down(1, "/data/1.log", gse.FileStatusFinished)}, nil,
			[]logsvr.FileLog{down(1, "/data/1.log", gse.FileStatusFinished), made}},
		{"failed download makes none", []logsvr.FileLog{down(1, "/data/1.log", gse.FileStatusFailed)}, nil,
			[]logsvr.FileLog{down(1, "/data/1.log", gse.FileStatusFailed)}},
		{"staged file makes none", []logsvr.FileLog{down(0, "a.conf", gse.FileStatusFinished)}, nil,
			[]logsvr.FileLog{down(0, "a.conf", gse.FileStatusFinished)}},
		{"one upload per source file", []logsvr.FileLog{down(1, "/data/1.log", gse.FileStatusFinished),
			down(1, "/data/1.log", gse.FileStatusFinished)}, nil,
			[]logsvr.FileLog{down(1, "/data/1.log", gse.FileStatusFinished), down(1, "/data/1.log", gse.FileStatusFinished), made}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, withUploads(tc.logs, tc.uploads, map[int64]bool{1: true}))
		})
	}
}

func TestFileLogsShowConfigNames(t *testing.T) {
	d := fileDetail{Sources: []fileSourceDetail{{Blobs: []blobFile{
		{Name: "a.conf", Key: "execute/config/x/1"}, {Name: "j.conf", Key: "execute/config/x/10"}}}}}
	at := time.Date(2021, 6, 28, 11, 32, 16, 0, time.UTC)
	for _, tc := range []struct{ key, name string }{{"execute/config/x/1", "a.conf"}, {"execute/config/x/10", "j.conf"}} {
		l := logsvr.FileLog{Mode: logsvr.ModeDownload, HostID: 2, SrcPath: tc.key, DestPath: "/tmp/" + tc.name, Size: 9,
			Status: gse.FileStatusFailed, Lines: []logsvr.TimeLog{{Time: at, Content: "open " + tc.key + ": refused"}}}
		got := fileLogs([]logsvr.FileLog{l}, map[int64]string{2: "0:10.0.0.2"}, d)
		require.Len(t, got, 1)
		require.Equal(t, tc.name, got[0].SrcPath)
		require.Equal(t, "[2021-06-28 11:32:16] open "+tc.name+": refused", got[0].LogContent)
		require.NotNil(t, got[0].SrcIP)
		require.Equal(t, "9.0 Bytes", got[0].Size)
	}
}
