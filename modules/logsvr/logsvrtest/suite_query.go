package logsvrtest

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/stretchr/testify/require"
)

func testFileLogs(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(20)
	t0 := time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)
	dl := logsvr.FileLog{
		StepRef: ref, Mode: logsvr.ModeDownload, HostID: 2,
		SrcHostID: 1, SrcHost: "0:10.0.0.1", SrcPath: "/data/a.tar", DestHostID: 2, DestHost: "0:10.0.0.2", DestPath: "/tmp/a.tar",
		Size: 1000, Bytes: 100, Speed: 50, Percent: 10, Status: 3, StatusDesc: "downloading",
		Lines: []logsvr.TimeLog{{Time: t0, Content: "start download"}},
	}
	up := dl
	up.Mode, up.HostID, up.Status, up.StatusDesc, up.Lines = logsvr.ModeUpload, 1, 2, "uploading", []logsvr.TimeLog{{Time: t0, Content: "start upload"}}
	other := dl
	other.HostID, other.DestHostID, other.DestHost, other.Lines = 3, 3, "0:10.0.0.3", nil
	require.NoError(t, svc.WriteFile(ctxT(t), []logsvr.FileLog{dl, up, other}))

	done := dl
	done.Bytes, done.Percent, done.Speed, done.Status, done.StatusDesc = 1000, 100, 500, 4, "finished"
	done.Lines = []logsvr.TimeLog{{Time: t0.Add(2 * time.Second), Content: "download finished"}}
	require.NoError(t, svc.WriteFile(ctxT(t), []logsvr.FileLog{done}))

	got, err := svc.ReadFileLogs(ctxT(t), ref, []int64{2}, logsvr.ModeDownload)
	require.NoError(t, err)
	require.Len(t, got, 1)
	g := got[0]
	require.Equal(t, int64(1000), g.Bytes)
	require.Equal(t, 100, g.Percent)
	require.Equal(t, int64(500), g.Speed)
	require.Equal(t, 4, g.Status)
	require.Equal(t, "finished", g.StatusDesc)
	require.Equal(t, "0:10.0.0.1", g.SrcHost)
	require.Equal(t, "/tmp/a.tar", g.DestPath)
	require.Len(t, g.Lines, 2)
	require.Equal(t, "start download", g.Lines[0].Content)
	require.Equal(t, "download finished", g.Lines[1].Content)
	require.True(t, g.Lines[1].Time.Equal(t0.Add(2*time.Second)))

	all, err := svc.ReadFileLogs(ctxT(t), ref, nil, logsvr.ModeAll)
	require.NoError(t, err)
	require.Len(t, all, 3)
	require.Equal(t, []int64{1, 2, 3}, []int64{all[0].HostID, all[1].HostID, all[2].HostID})
	require.Equal(t, logsvr.ModeUpload, all[0].Mode)

	ups, err := svc.ReadFileLogs(ctxT(t), ref, nil, logsvr.ModeUpload)
	require.NoError(t, err)
	require.Len(t, ups, 1)
	require.Equal(t, "start upload", ups[0].Lines[0].Content)

	retry := ref
	retry.ExecuteCount = 1
	none, err := svc.ReadFileLogs(ctxT(t), retry, nil, logsvr.ModeAll)
	require.NoError(t, err)
	require.Empty(t, none, "another execute count has its own file logs")
}

func testSearch(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(21)
	write(t, svc, chunk(ref, 1, 0, "all good\n"), chunk(ref, 2, 0, "ERROR: disk full\n"), chunk(ref, 3, 0, "fine\n"))
	write(t, svc, chunk(ref, 3, 5, "ERR"))
	require.NoError(t, svc.Flush(ctxT(t)))
	write(t, svc, chunk(ref, 3, 8, "OR at the end\n")) // the keyword spans two writes
	b2 := ref
	b2.Batch = 2
	write(t, svc, chunk(b2, 4, 0, "batch two ERROR\n"))

	got, err := svc.SearchHosts(ctxT(t), ref, "ERROR")
	require.NoError(t, err)
	require.Equal(t, []int64{2, 3}, got)

	anyBatch := ref
	anyBatch.Batch = logsvr.AnyBatch
	got, err = svc.SearchHosts(ctxT(t), anyBatch, "ERROR")
	require.NoError(t, err)
	require.Equal(t, []int64{2, 3, 4}, got)

	got, err = svc.SearchHosts(ctxT(t), ref, "error")
	require.NoError(t, err)
	require.Empty(t, got, "search is case-sensitive")
	got, err = svc.SearchHosts(ctxT(t), ref, "no such text")
	require.NoError(t, err)
	require.Empty(t, got)
}

func testReadHosts(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(22)
	write(t, svc, chunk(ref, 1, 0, "one"), chunk(ref, 2, 0, "two"), chunk(ref, 3, 0, "three"))
	got, err := svc.ReadHosts(ctxT(t), ref, []int64{3, 1, 42})
	require.NoError(t, err)
	require.Len(t, got, 3)
	require.Equal(t, int64(3), got[0].HostID)
	require.Equal(t, "three", string(got[0].Content))
	require.Equal(t, "one", string(got[1].Content))
	require.Equal(t, int64(42), got[2].HostID)
	require.Empty(t, got[2].Content)

	tooMany := make([]int64, logsvr.MaxBatchHosts+1)
	for i := range tooMany {
		tooMany[i] = int64(i + 1)
	}
	_, err = svc.ReadHosts(ctxT(t), ref, tooMany)
	require.ErrorIs(t, err, logsvr.ErrInvalidKey)
	_, err = svc.ReadHosts(ctxT(t), ref, nil)
	require.ErrorIs(t, err, logsvr.ErrInvalidKey)
	got, err = svc.ReadHosts(ctxT(t), ref, tooMany[:logsvr.MaxBatchHosts])
	require.NoError(t, err)
	require.Len(t, got, logsvr.MaxBatchHosts)

	b3 := ref
	b3.Batch = 3
	write(t, svc, chunk(b3, 9, 0, "rolling"))
	anyBatch := ref
	anyBatch.Batch = logsvr.AnyBatch
	got, err = svc.ReadHosts(ctxT(t), anyBatch, []int64{9, 2})
	require.NoError(t, err)
	require.Equal(t, "rolling", string(got[0].Content))
	require.Equal(t, 3, got[0].Batch)
	require.Equal(t, "two", string(got[1].Content))
}

func testListHosts(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(23)
	c := chunk(ref, 5, 0, "hello")
	c.Host = "0:10.0.0.5"
	write(t, svc, chunk(ref, 9, 0, "x"), c)
	write(t, svc, chunk(ref, 5, 5, " world")) // the name is kept from the first chunk
	hosts, err := svc.ListHosts(ctxT(t), ref)
	require.NoError(t, err)
	require.Equal(t, []logsvr.HostLog{
		{HostID: 5, Host: "0:10.0.0.5", Batch: 0, Size: 11, End: 11},
		{HostID: 9, Batch: 0, Size: 1, End: 1},
	}, hosts)
	l := whole(t, svc, hostKey(ref, 5))
	require.Equal(t, "0:10.0.0.5", l.Host)
}

func testExport(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(24)
	a := chunk(ref, 1, 0, "log of host one\n")
	a.Host = "0:10.0.0.1"
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB: exported in several reads
	write(t, svc, a, chunk(ref, 7, 0, "log of host seven\n"), logsvr.ScriptChunk{HostKey: hostKey(ref, 8), Data: big})
	b2 := ref
	b2.Batch = 2
	c := chunk(b2, 3, 0, "second batch\n")
	c.Host = "2:192.168.1.3"
	write(t, svc, c)

	anyBatch := ref
	anyBatch.Batch = logsvr.AnyBatch
	var buf bytes.Buffer
	require.NoError(t, svc.ExportStep(ctxT(t), anyBatch, &buf))
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		got[f.Name] = string(data)
	}
	require.Equal(t, map[string]string{
		"0_10.0.0.1.log":    "log of host one\n",
		"2_192.168.1.3.log": "second batch\n",
		"host_7.log":        "log of host seven\n",
		"host_8.log":        string(big),
	}, got)
}

func testPurge(t *testing.T, open Opener) {
	svc := open(suiteCap)
	old := step(25)
	old.JobCreated = day0.AddDate(0, 0, -40)
	fresh := step(26)
	write(t, svc, chunk(old, 1, 0, "old"), chunk(fresh, 1, 0, "fresh"))
	require.NoError(t, svc.WriteFile(ctxT(t), []logsvr.FileLog{{StepRef: old, Mode: logsvr.ModeDownload, HostID: 1, SrcPath: "/a"}}))

	n, err := svc.Purge(ctxT(t), day0.AddDate(0, 0, -30))
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 1)
	require.Empty(t, whole(t, svc, hostKey(old, 1)).Content)
	files, err := svc.ReadFileLogs(ctxT(t), old, nil, logsvr.ModeAll)
	require.NoError(t, err)
	require.Empty(t, files)
	require.Equal(t, "fresh", string(whole(t, svc, hostKey(fresh, 1)).Content))

	write(t, svc, chunk(old, 1, 0, "again")) // a purged host starts over
	require.Equal(t, "again", string(whole(t, svc, hostKey(old, 1)).Content))
	n, err = svc.Purge(ctxT(t), day0)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 1)
	require.Equal(t, "fresh", string(whole(t, svc, hostKey(fresh, 1)).Content), "the job's own day is kept")
}
