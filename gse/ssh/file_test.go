package ssh

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/errs"
)

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func newBlob(t testing.TB, key string, data []byte) blob.Store {
	t.Helper()
	store, err := blob.NewLocal(t.TempDir())
	require.NoError(t, err)
	_, err = store.Put(context.Background(), key, bytes.NewReader(data))
	require.NoError(t, err)
	return store
}

// lastProgress returns the final progress report per destination path.
func lastProgress(reports []gse.FileProgress) map[string]gse.FileProgress {
	out := map[string]gse.FileProgress{}
	for _, p := range reports {
		out[p.DestPath] = p
	}
	return out
}

func TestFileFromBlobToHosts(t *testing.T) {
	env := requireSSH(t)
	data := randomBytes(t, 300<<10)
	store := newBlob(t, "uploads/app.tar", data)
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig(), blob: store})
	targets := env.hosts(t, 3)
	dir := filepath.Join(t.TempDir(), "missing", "dest")

	task := gse.FileTask{TaskID: "blob", Targets: targets, TargetDir: dir, Mode: gse.TransferForce,
		Sources: []gse.FileSource{{BlobKey: "uploads/app.tar"}}}
	require.NoError(t, tr.StartFile(context.Background(), task))
	results := rec.WaitResults(t, task.TaskID, gsetest.Wait, targets...)
	dest := filepath.Join(dir, "app.tar")
	for _, h := range targets {
		require.Equal(t, gse.HostStatusSuccess, results[h.ID].Status, results[h.ID].ErrorMsg)
		p := lastProgress(rec.FileProgress(task.TaskID, h.ID))[dest]
		require.Equal(t, gse.FileStatusFinished, p.Status)
		require.Equal(t, sha(data), p.SHA256)
		require.Equal(t, int64(len(data)), p.Size)
		require.Equal(t, 100, p.Percent)
	}
	got, err := os.ReadFile(dest)
	require.NoError(t, err)
	require.Equal(t, sha(data), sha(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temp files are left behind")
}

func TestFileHostToHosts(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig()})
	hosts := env.hosts(t, 4)
	src, targets := hosts[0], hosts[1:]

	srcDir := t.TempDir()
	data := randomBytes(t, 1<<20)
	require.NoError(t, os.WriteFile(filepath.Join(srcDir, "data.bin"), data, 0o640))
	require.NoError(t, os.MkdirAll(filepath.Join(srcDir, "tree", "sub", "empty"), 0o755))
	nested := randomBytes(t, 1000)
	require.NoError(t, os.WriteFile(filepath.Join(srcDir, "tree", "sub", "n.txt"), nested, 0o600))

	dir := t.TempDir()
	task := gse.FileTask{TaskID: "host", Targets: targets, TargetDir: dir, Mode: gse.TransferSafetyIP,
		Sources: []gse.FileSource{
			{Host: &src, Path: filepath.Join(srcDir, "data.bin")},
			{Host: &src, Path: filepath.Join(srcDir, "tree") + "/"},
		}}
	require.NoError(t, tr.StartFile(context.Background(), task))
	results := rec.WaitResults(t, task.TaskID, gsetest.Wait, targets...)
	base := filepath.Join(dir, "0_"+src.IP)
	for _, h := range targets {
		require.Equal(t, gse.HostStatusSuccess, results[h.ID].Status, results[h.ID].ErrorMsg)
		reports := lastProgress(rec.FileProgress(task.TaskID, h.ID))
		require.Equal(t, sha(data), reports[filepath.Join(base, "data.bin")].SHA256)
		require.Equal(t, sha(nested), reports[filepath.Join(base, "tree", "sub", "n.txt")].SHA256)
		require.Equal(t, src.ID, reports[filepath.Join(base, "data.bin")].SrcHostID)
	}
	got, err := os.ReadFile(filepath.Join(base, "data.bin"))
	require.NoError(t, err)
	require.Equal(t, sha(data), sha(got))
	st, err := os.Stat(filepath.Join(base, "data.bin"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o640), st.Mode().Perm(), "the source's mode is kept")
	got, err = os.ReadFile(filepath.Join(base, "tree", "sub", "n.txt"))
	require.NoError(t, err)
	require.Equal(t, nested, got)
	require.DirExists(t, filepath.Join(base, "tree", "sub", "empty"))
}

func TestFileTransferModes(t *testing.T) {
	env := requireSSH(t)
	data := []byte("config v2\n")
	store := newBlob(t, "cfg/app.conf", data)
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig(), blob: store})
	h := env.hosts(t, 1)
	today := time.Now().Format(time.DateOnly)

	tests := []struct {
		name    string
		mode    int
		dir     func(root string) string
		src     gse.FileSource
		status  int
		dest    func(dir string) string
		errText string
	}{
		{name: "strict into existing dir", mode: gse.TransferStrict, dir: func(r string) string { return r },
			src: gse.FileSource{BlobKey: "cfg/app.conf"}, status: gse.HostStatusSuccess,
			dest: func(d string) string { return filepath.Join(d, "app.conf") }},
		{name: "strict refuses missing dir", mode: gse.TransferStrict, dir: func(r string) string { return filepath.Join(r, "nope") },
			src: gse.FileSource{BlobKey: "cfg/app.conf"}, status: gse.HostStatusFileError, errText: "does not exist"},
		{name: "force renames", mode: gse.TransferForce, dir: func(r string) string { return filepath.Join(r, "a", "b") },
			src: gse.FileSource{BlobKey: "cfg/app.conf", Name: "renamed.conf"}, status: gse.HostStatusSuccess,
			dest: func(d string) string { return filepath.Join(d, "renamed.conf") }},
		{name: "date and ip prefix", mode: gse.TransferSafetyDateIP, dir: func(r string) string { return r },
			src: gse.FileSource{BlobKey: "cfg/app.conf"}, status: gse.HostStatusSuccess,
			dest: func(d string) string { return filepath.Join(d, today, "0_0.0.0.0", "app.conf") }},
		{name: "missing blob", mode: gse.TransferForce, dir: func(r string) string { return r },
			src: gse.FileSource{BlobKey: "cfg/none"}, status: gse.HostStatusSourceNotExist},
		{name: "missing host file", mode: gse.TransferForce, dir: func(r string) string { return r },
			src: gse.FileSource{Host: &h[0], Path: "/nonexistent/bkjob/file"}, status: gse.HostStatusSourceNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir(t.TempDir())
			task := gse.FileTask{TaskID: "mode-" + tt.name, Targets: h, TargetDir: dir, Mode: tt.mode, Sources: []gse.FileSource{tt.src}}
			require.NoError(t, tr.StartFile(context.Background(), task))
			res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
			require.Equal(t, tt.status, res.Status, res.ErrorMsg)
			require.Contains(t, res.ErrorMsg, tt.errText)
			if tt.dest != nil {
				got, err := os.ReadFile(tt.dest(dir))
				require.NoError(t, err)
				require.Equal(t, data, got)
			}
		})
	}
}

func TestFileOverwritesAndOwner(t *testing.T) {
	env := requireSSH(t)
	if env.user != "root" {
		t.Skipf("owner change needs a root SSH login, the test server logs in as %s", env.user)
	}
	data := []byte("new\n")
	store := newBlob(t, "f.txt", data)
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig(), blob: store})
	h := env.hosts(t, 1)
	dir := nobodyDir(t) // files for an account are put in place by that account
	require.NoError(t, os.WriteFile(filepath.Join(dir, "f.txt"), []byte("old content\n"), 0o644))

	task := gse.FileTask{TaskID: "owner", Targets: h, TargetDir: dir, Account: "nobody",
		Sources: []gse.FileSource{{BlobKey: "f.txt"}}}
	require.NoError(t, tr.StartFile(context.Background(), task))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	got, err := os.ReadFile(filepath.Join(dir, "f.txt"))
	require.NoError(t, err)
	require.Equal(t, data, got)
	st, err := os.Stat(filepath.Join(dir, "f.txt"))
	require.NoError(t, err)
	require.Equal(t, uint32(65534), st.Sys().(*syscall.Stat_t).Uid, "owned by the run-as account")
}

func TestFileStopAndTimeout(t *testing.T) {
	env := requireSSH(t)
	data := randomBytes(t, 2<<20)
	store := newBlob(t, "big.bin", data)
	tests := []struct {
		name    string
		timeout time.Duration
		stop    bool
		status  int
	}{
		{name: "stop", stop: true, status: gse.HostStatusTerminateSuccess},
		{name: "timeout", timeout: 500 * time.Millisecond, status: gse.HostStatusGSEFileTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := gsetest.NewRecorder()
			tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig(), blob: store})
			h := env.hosts(t, 1)
			dir := t.TempDir()
			task := gse.FileTask{TaskID: "slow", Targets: h, TargetDir: dir, DownloadLimit: 256 << 10,
				Timeout: tt.timeout, Sources: []gse.FileSource{{BlobKey: "big.bin"}}}
			require.NoError(t, tr.StartFile(context.Background(), task))
			require.Eventually(t, func() bool {
				for _, p := range rec.FileProgress(task.TaskID, 1) {
					if p.Bytes > 0 {
						return true
					}
				}
				return false
			}, 20*time.Second, 10*time.Millisecond, "progress is reported while copying")
			if tt.stop {
				require.NoError(t, tr.Stop(context.Background(), task.TaskID, nil))
			}
			res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
			require.Equal(t, tt.status, res.Status, res.ErrorMsg)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			require.Empty(t, entries, "an interrupted copy leaves neither the file nor its temp")
		})
	}
}

func TestStartFileRefusesBadPaths(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig()})
	h := env.hosts(t, 1)
	src := gse.FileSource{BlobKey: "k"}
	tests := []struct {
		name  string
		task  gse.FileTask
		field string
	}{
		{name: "traversal in target", task: gse.FileTask{TargetDir: "/tmp/a/../../etc", Sources: []gse.FileSource{src}}, field: "target_dir"},
		{name: "relative target", task: gse.FileTask{TargetDir: "tmp/a", Sources: []gse.FileSource{src}}, field: "target_dir"},
		{name: "traversal in source", task: gse.FileTask{TargetDir: "/tmp/a",
			Sources: []gse.FileSource{{Host: &h[0], Path: "/var/../etc/shadow"}}}, field: "sources[0].path"},
		{name: "name with slash", task: gse.FileTask{TargetDir: "/tmp/a",
			Sources: []gse.FileSource{{BlobKey: "k", Name: "../x"}}}, field: "sources[0].name"},
		{name: "bad mode", task: gse.FileTask{TargetDir: "/tmp/a", Mode: 7, Sources: []gse.FileSource{src}}, field: "mode"},
		{name: "no sources", task: gse.FileTask{TargetDir: "/tmp/a"}, field: "sources"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task := tt.task
			task.TaskID = "bad"
			task.Targets = h
			err := tr.StartFile(context.Background(), task)
			require.ErrorIs(t, err, errs.ErrInvalid)
			require.Equal(t, tt.field, errs.From(err).Field)
		})
	}
	require.Empty(t, rec.HostEvents("bad", 1), "nothing ran")
}
