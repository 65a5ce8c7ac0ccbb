package gse2_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gse2"
	"github.com/bkjob/bkjob/gse/gse2/fakegse"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/errs"
)

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// writeOn writes a file at path p of an agent's filesystem.
func (e *env) writeOn(t *testing.T, agent, p string, data []byte) {
	t.Helper()
	full := filepath.Join(e.roots[agent], p)
	require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
	require.NoError(t, os.WriteFile(full, data, 0o644))
}

func (e *env) readOn(t *testing.T, agent, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e.roots[agent], p))
	require.NoError(t, err)
	return data
}

func TestFileHostToHosts(t *testing.T) {
	e := newEnv(t)
	data := randomBytes(t, 256<<10)
	nested := randomBytes(t, 1000)
	e.writeOn(t, "a1", "/data/app.bin", data)
	e.writeOn(t, "a1", "/data/conf/sub/x.conf", nested)
	rec := gsetest.NewRecorder()
	tr := newTransport(t, fastConfig(e.url), rec, nil)
	src, targets := e.hosts[0], e.hosts[1:]
	task := gse.FileTask{TaskID: "copy", Targets: targets, TargetDir: "/opt/dest", Mode: gse.TransferSafetyIP, Account: "root",
		Sources: []gse.FileSource{{Host: &src, Path: "/data/app.bin"}, {Host: &src, Path: "/data/conf/"}}}
	require.NoError(t, tr.StartFile(context.Background(), task))
	results := rec.WaitResults(t, task.TaskID, gsetest.Wait, targets...)
	base := "/opt/dest/0_" + src.IP
	for _, h := range targets {
		require.Equal(t, gse.HostStatusSuccess, results[h.ID].Status, results[h.ID].ErrorMsg)
		require.Equal(t, sum(data), sum(e.readOn(t, h.AgentID, base+"/app.bin")))
		require.Equal(t, nested, e.readOn(t, h.AgentID, base+"/conf/sub/x.conf"))
		last := map[string]gse.FileProgress{}
		for _, p := range rec.FileProgress(task.TaskID, h.ID) {
			last[p.DestPath] = p
		}
		p := last[base+"/app.bin"]
		require.Equal(t, gse.FileStatusFinished, p.Status)
		require.Equal(t, int64(len(data)), p.Size)
		require.Equal(t, 100, p.Percent)
		require.Equal(t, 1, p.Mode)
		require.Equal(t, src.ID, p.SrcHostID)
	}
	uploads := rec.FileProgress(task.TaskID, src.ID)
	require.NotEmpty(t, uploads, "the source host reports its uploads")
	require.Equal(t, 0, uploads[0].Mode)
}

func TestFileFromBlobAgent(t *testing.T) {
	store, err := blob.NewLocal(t.TempDir())
	require.NoError(t, err)
	data := randomBytes(t, 10000)
	_, err = store.Put(context.Background(), "uploads/pkg.tgz", bytes.NewReader(data))
	require.NoError(t, err)
	e := newEnv(t, fakegse.Agent{ID: "t1"}, fakegse.Agent{ID: "blob", Root: "/"})
	rec := gsetest.NewRecorder()
	cfg := fastConfig(e.url)
	cfg.BlobAgent = "blob"
	tr := newTransport(t, cfg, rec, store)
	targets := e.hosts[:1]
	task := gse.FileTask{TaskID: "blob", Targets: targets, TargetDir: "/in", Mode: gse.TransferSafetyDateIP,
		Sources: []gse.FileSource{{BlobKey: "uploads/pkg.tgz", Name: "renamed.tgz"}}}
	require.NoError(t, tr.StartFile(context.Background(), task))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, targets...)[1]
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	got := e.readOn(t, "t1", filepath.Join("/in", time.Now().Format(time.DateOnly), "0_0.0.0.0", "renamed.tgz"))
	require.Equal(t, sum(data), sum(got))

	noAgent := newTransport(t, fastConfig(e.url), gsetest.NewRecorder(), store)
	err = noAgent.StartFile(context.Background(), task)
	require.ErrorIs(t, err, errs.ErrNotImplemented)
}

func TestFileFailures(t *testing.T) {
	e := newEnv(t, fakegse.Agent{ID: "src"}, fakegse.Agent{ID: "dst"}, fakegse.Agent{ID: "full", ErrorCode: 119})
	e.writeOn(t, "src", "/data/f", []byte("x"))
	src := e.hosts[0]
	tests := []struct {
		name    string
		task    gse.FileTask
		targets []gse.Host
		status  int
	}{
		{name: "strict mode, missing dir", targets: e.hosts[1:2], status: gse.HostStatusGSEFileError,
			task: gse.FileTask{TargetDir: "/missing", Mode: gse.TransferStrict, Sources: []gse.FileSource{{Host: &src, Path: "/data/f"}}}},
		{name: "missing source", targets: e.hosts[1:2], status: gse.HostStatusGSEFileError,
			task: gse.FileTask{TargetDir: "/in", Sources: []gse.FileSource{{Host: &src, Path: "/data/none"}}}},
		{name: "target error code", targets: e.hosts[2:3], status: gse.HostStatusGSEFileSizeExceed,
			task: gse.FileTask{TargetDir: "/in", Sources: []gse.FileSource{{Host: &src, Path: "/data/f"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := gsetest.NewRecorder()
			tr := newTransport(t, fastConfig(e.url), rec, nil)
			task := tt.task
			task.TaskID, task.Targets = "fail", tt.targets
			require.NoError(t, tr.StartFile(context.Background(), task))
			res := rec.WaitResults(t, task.TaskID, gsetest.Wait, tt.targets...)[tt.targets[0].ID]
			require.Equal(t, tt.status, res.Status, res.ErrorMsg)
			require.NotEmpty(t, res.ErrorMsg)
		})
	}
}

func TestFileStop(t *testing.T) {
	e := newEnv(t, fakegse.Agent{ID: "src"}, fakegse.Agent{ID: "slow", FileDelay: time.Minute})
	e.writeOn(t, "src", "/data/f", []byte("x"))
	rec := gsetest.NewRecorder()
	tr := newTransport(t, fastConfig(e.url), rec, nil)
	src := e.hosts[0]
	task := gse.FileTask{TaskID: "stop", Targets: e.hosts[1:], TargetDir: "/in", Sources: []gse.FileSource{{Host: &src, Path: "/data/f"}}}
	require.NoError(t, tr.StartFile(context.Background(), task))
	require.Eventually(t, func() bool { return len(rec.FileProgress(task.TaskID, 2)) > 0 }, 10*time.Second, 5*time.Millisecond)
	_, finished := rec.Result(task.TaskID, 2)
	require.False(t, finished)
	require.NoError(t, tr.Stop(context.Background(), task.TaskID, nil))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, e.hosts[1:]...)[2]
	require.Equal(t, gse.HostStatusTerminateSuccess, res.Status)
	require.Len(t, e.fake.Requests(gse2.PathTerminateTransfer), 1)
}

func TestFileRequestShape(t *testing.T) {
	e := newEnv(t)
	e.writeOn(t, "a1", "/data/f", []byte("x"))
	rec := gsetest.NewRecorder()
	tr := newTransport(t, fastConfig(e.url), rec, nil)
	src := e.hosts[0]
	require.NoError(t, os.MkdirAll(filepath.Join(e.roots["a2"], "in"), 0o755))
	task := gse.FileTask{TaskID: "shape", Targets: e.hosts[1:2], TargetDir: "/in", Mode: gse.TransferStrict, Account: "app",
		UploadLimit: 3 << 20, DownloadLimit: 1, Timeout: 30 * time.Second,
		Sources: []gse.FileSource{{Host: &src, Path: "/data/f", Account: "reader"}}}
	require.NoError(t, tr.StartFile(context.Background(), task))
	require.Equal(t, gse.HostStatusSuccess, rec.WaitResults(t, task.TaskID, gsetest.Wait, e.hosts[1:2]...)[2].Status)
	var req gse2.TransferFileRequest
	require.NoError(t, json.Unmarshal(e.fake.Requests(gse2.PathTransferFile)[0], &req))
	require.False(t, req.AutoMkdir, "strict mode does not create the target dir")
	require.Equal(t, 3, req.UploadSpeed)
	require.Equal(t, 1, req.DownloadSpeed, "limits round up to whole MB/s")
	require.Equal(t, 30, req.TimeoutSeconds)
	tt := req.Tasks[0]
	require.Equal(t, gse2.FileEnd{FileName: "f", StoreDir: "/data", Agent: &gse2.Agent{AgentID: "a1", User: "reader"}}, tt.Source)
	require.Equal(t, gse2.FileEnd{FileName: "f", StoreDir: "/in", Owner: "app", Agents: []gse2.Agent{{AgentID: "a2", User: "app"}}}, tt.Target)
}

func TestStartFileRefusesBadPaths(t *testing.T) {
	e := newEnv(t)
	tr := newTransport(t, fastConfig(e.url), gsetest.NewRecorder(), nil)
	src := e.hosts[0]
	tests := []struct {
		name  string
		task  gse.FileTask
		field string
	}{
		{name: "traversal in target", task: gse.FileTask{TargetDir: "/in/../etc", Sources: []gse.FileSource{{Host: &src, Path: "/f"}}}, field: "target_dir"},
		{name: "relative target", task: gse.FileTask{TargetDir: "in", Sources: []gse.FileSource{{Host: &src, Path: "/f"}}}, field: "target_dir"},
		{name: "traversal in source", task: gse.FileTask{TargetDir: "/in", Sources: []gse.FileSource{{Host: &src, Path: "/a/../f"}}}, field: "sources[0].path"},
		{name: "bad name", task: gse.FileTask{TargetDir: "/in", Sources: []gse.FileSource{{Host: &src, Path: "/f", Name: "a/b"}}}, field: "sources[0].name"},
		{name: "source without agent", task: gse.FileTask{TargetDir: "/in", Sources: []gse.FileSource{{Host: &gse.Host{ID: 9}, Path: "/f"}}}, field: "sources[0].host"},
		{name: "bad mode", task: gse.FileTask{TargetDir: "/in", Mode: 5, Sources: []gse.FileSource{{Host: &src, Path: "/f"}}}, field: "mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task := tt.task
			task.TaskID, task.Targets = "bad", e.hosts[1:]
			err := tr.StartFile(context.Background(), task)
			require.ErrorIs(t, err, errs.ErrInvalid)
			require.Equal(t, tt.field, errs.From(err).Field)
		})
	}
	require.Empty(t, e.fake.Requests(gse2.PathTransferFile))
}
