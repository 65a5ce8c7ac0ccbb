package hub_test

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

// twoAgents starts a hub and agents at 127.0.0.61 (source) and .62 (target),
// both through a cuttable proxy.
func twoAgents(t *testing.T) (*testHub, *proxy, gse.Host, gse.Host) {
	th := startHub(t, nil)
	px := newProxy(t, th.srv.URL)
	var hosts []gse.Host
	for _, ip := range []string{"127.0.0.61", "127.0.0.62"} {
		opts := th.agentOptions(t, ip)
		opts.Server = px.URL()
		runAgent(t, opts)
		hosts = append(hosts, th.waitHost(t, ip))
	}
	return th, px, hosts[0], hosts[1]
}

func randomFile(t *testing.T, path string, n int) []byte {
	t.Helper()
	data := make([]byte, n)
	_, _ = rand.Read(data)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, data, 0o640))
	return data
}

func TestDirectoryCopy(t *testing.T) {
	th, _, src, dst := twoAgents(t)
	root := filepath.Join(t.TempDir(), "conf")
	a := randomFile(t, filepath.Join(root, "a.txt"), 1000)
	b := randomFile(t, filepath.Join(root, "sub", "b.bin"), 300<<10)
	empty := randomFile(t, filepath.Join(root, "sub", "empty"), 0)
	target := t.TempDir()

	require.NoError(t, th.hub.StartFile(t.Context(), gse.FileTask{TaskID: "dir", Targets: []gse.Host{dst}, TargetDir: target,
		Sources: []gse.FileSource{{Host: &src, Path: root + "/"}}, Mode: gse.TransferForce, Timeout: wait}))
	res := th.rec.WaitResult(t, "dir", dst.ID, wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	for rel, want := range map[string][]byte{"conf/a.txt": a, "conf/sub/b.bin": b, "conf/sub/empty": empty} {
		got, err := os.ReadFile(filepath.Join(target, rel))
		require.NoError(t, err, rel)
		require.True(t, bytes.Equal(want, got), rel)
	}
	st, err := os.Stat(filepath.Join(target, "conf/a.txt"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o640), st.Mode().Perm(), "the source's mode is kept")
	files := th.rec.Files("dir", dst.ID)
	require.Len(t, files, 3)
	for dest, p := range files {
		require.Equal(t, gse.FileStatusFinished, p.Status, dest)
		require.Equal(t, src.ID, p.SrcHostID)
	}
}

// TestFileResumesAfterDrop cuts every connection while a rate-limited copy
// is half way; the copy carries on after the agents reconnect and the file
// arrives intact.
func TestFileResumesAfterDrop(t *testing.T) {
	th, px, src, dst := twoAgents(t)
	path := filepath.Join(t.TempDir(), "big.bin")
	data := randomFile(t, path, 3<<20)
	target := t.TempDir()
	require.NoError(t, th.hub.StartFile(t.Context(), gse.FileTask{TaskID: "resume", Targets: []gse.Host{dst}, TargetDir: target,
		Sources: []gse.FileSource{{Host: &src, Path: path}}, Mode: gse.TransferForce, Timeout: wait, DownloadLimit: 1 << 20}))
	dest := filepath.Join(target, "big.bin")
	require.Eventually(t, func() bool {
		for _, ev := range th.rec.Events("resume") {
			if ev.Kind == gse.EventFile && ev.File.Bytes > 0 && ev.File.Bytes < ev.File.Size {
				return true
			}
		}
		return false
	}, wait, 10*time.Millisecond, "no progress report in the middle of the copy")
	px.Cut()
	res := th.rec.WaitResult(t, "resume", dst.ID, wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	got, err := os.ReadFile(dest)
	require.NoError(t, err)
	require.True(t, bytes.Equal(data, got))
	p := th.rec.Files("resume", dst.ID)[dest]
	require.Equal(t, gse.FileStatusFinished, p.Status)
	var last int64
	for _, ev := range th.rec.Events("resume") {
		if ev.Kind == gse.EventFile {
			require.GreaterOrEqual(t, ev.File.Bytes, last, "the copy resumed instead of starting over")
			last = ev.File.Bytes
		}
	}
	require.Positive(t, p.Speed)
}

func TestFileOwnedByAccount(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch accounts")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	th, _, src, dst := twoAgents(t)
	path := filepath.Join(t.TempDir(), "owned.txt")
	randomFile(t, path, 100)
	target := filepath.Join(t.TempDir(), "new", "dir")
	require.NoError(t, th.hub.StartFile(t.Context(), gse.FileTask{TaskID: "owner", Targets: []gse.Host{dst}, TargetDir: target, Account: "nobody",
		Sources: []gse.FileSource{{Host: &src, Path: path}}, Mode: gse.TransferForce, Timeout: wait}))
	res := th.rec.WaitResult(t, "owner", dst.ID, wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	for _, p := range []string{filepath.Join(target, "owned.txt"), target, filepath.Dir(target)} {
		st, err := os.Stat(p)
		require.NoError(t, err)
		require.Equal(t, nobody.Uid, strconv.Itoa(int(st.Sys().(*syscall.Stat_t).Uid)), p)
	}
}

func TestSourceAccountMayNotRead(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch accounts")
	}
	if _, err := user.Lookup("nobody"); err != nil {
		t.Skip("no user nobody")
	}
	th, _, src, dst := twoAgents(t)
	path := filepath.Join(t.TempDir(), "secret.txt")
	randomFile(t, path, 100)
	require.NoError(t, os.Chmod(path, 0o600))
	require.NoError(t, th.hub.StartFile(t.Context(), gse.FileTask{TaskID: "denied", Targets: []gse.Host{dst}, TargetDir: t.TempDir(),
		Sources: []gse.FileSource{{Host: &src, Path: path, Account: "nobody"}}, Mode: gse.TransferForce, Timeout: wait}))
	res := th.rec.WaitResult(t, "denied", dst.ID, wait)
	require.Equal(t, gse.HostStatusCopyFileFailed, res.Status)
	require.Contains(t, res.ErrorMsg, "may not read")
}

func TestLanguages(t *testing.T) {
	th := startHub(t, nil)
	runAgent(t, th.agentOptions(t, "127.0.0.63"))
	host := th.waitHost(t, "127.0.0.63")
	tests := []struct {
		name    string
		lang    int
		content string
		want    string
		status  int
	}{
		{"python", gse.LangPython, "import sys\nprint('py', sys.argv[1])", "py x\n", gse.HostStatusSuccess},
		{"perl", gse.LangPerl, "print \"pl $ARGV[0]\\n\";", "pl x\n", gse.HostStatusSuccess},
		{"shell stderr interleaved", gse.LangShell, "echo 1; echo 2 >&2; echo 3", "1\n2\n3\n", gse.HostStatusSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "lang-" + tt.name
			require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: id, Hosts: []gse.Host{host}, Language: tt.lang, Content: tt.content, Params: "x"}))
			res := th.rec.WaitResult(t, id, host.ID, wait)
			require.Equal(t, tt.status, res.Status, res.ErrorMsg)
			require.Equal(t, tt.want, th.rec.Output(id, host.ID))
		})
	}
}

func TestStopFileTransfer(t *testing.T) {
	th, _, src, dst := twoAgents(t)
	path := filepath.Join(t.TempDir(), "slow.bin")
	randomFile(t, path, 4<<20)
	target := t.TempDir()
	require.NoError(t, th.hub.StartFile(t.Context(), gse.FileTask{TaskID: "stopfile", Targets: []gse.Host{dst}, TargetDir: target,
		Sources: []gse.FileSource{{Host: &src, Path: path}}, Mode: gse.TransferForce, Timeout: wait, UploadLimit: 256 << 10}))
	require.Eventually(t, func() bool { return len(th.rec.Files("stopfile", dst.ID)) > 0 }, wait, 10*time.Millisecond)
	require.NoError(t, th.hub.Stop(t.Context(), "stopfile", nil))
	res := th.rec.WaitResult(t, "stopfile", dst.ID, wait)
	require.Equal(t, gse.HostStatusTerminateSuccess, res.Status, res.ErrorMsg)
	left, err := os.ReadDir(target)
	require.NoError(t, err)
	require.Empty(t, left, "a stopped copy leaves neither the file nor its temp file")
}
