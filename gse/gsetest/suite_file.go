package gsetest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

// sourceFile writes a random file of n bytes and returns its path and sha256.
func (c *suite) sourceFile(t *testing.T, name string, n int) (string, string, []byte) {
	t.Helper()
	data := make([]byte, n)
	_, _ = rand.Read(data)
	dir, err := os.MkdirTemp(c.dir, "src-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	sum := sha256.Sum256(data)
	return p, hex.EncodeToString(sum[:]), data
}

func (c *suite) targetDir(t *testing.T, create bool) string {
	t.Helper()
	dir := filepath.Join(c.dir, "dst-"+strconv.FormatInt(int64(len(c.dir))+nowNano(), 36))
	if create {
		require.NoError(t, os.Mkdir(dir, 0o777))
	}
	return dir
}

func (c *suite) startFile(t *testing.T, name string, task gse.FileTask) string {
	t.Helper()
	task.TaskID = taskID(name)
	if task.Account == "" {
		task.Account = c.Account
	}
	if task.Timeout == 0 {
		task.Timeout = Wait
	}
	require.NoError(t, c.Transport.StartFile(t.Context(), task))
	return task.TaskID
}

// checkCopied checks the host's result, its final progress and the file.
func (c *suite) checkCopied(t *testing.T, id string, host gse.Host, dest, sum string, data []byte) {
	t.Helper()
	res := c.Recorder.WaitResult(t, id, host.ID, Wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	got, err := os.ReadFile(dest)
	require.NoError(t, err, "the copied file should be at %s", dest)
	require.True(t, bytes.Equal(data, got), "content of %s differs", dest)
	files := c.Recorder.Files(id, host.ID)
	p, ok := files[dest]
	require.True(t, ok, "no progress for %s; have %v", dest, files)
	require.Equal(t, gse.FileStatusFinished, p.Status, p.Message)
	require.Equal(t, sum, p.SHA256)
	require.Equal(t, int64(len(data)), p.Size)
	require.Equal(t, 100, p.Percent)
	leftovers, err := filepath.Glob(filepath.Join(filepath.Dir(dest), ".*"))
	require.NoError(t, err)
	require.Empty(t, leftovers, "temp files left beside %s", dest)
}

func (c *suite) fileCopy(t *testing.T) {
	src, sum, data := c.sourceFile(t, "payload.bin", 700<<10+17)
	from := c.Hosts[0]
	for i, to := range c.Hosts[1:] {
		t.Run(strconv.Itoa(int(to.ID)), func(t *testing.T) {
			mode := gse.TransferForce
			if i%2 == 1 {
				mode = gse.TransferSafetyIP
			}
			dir := c.targetDir(t, false)
			id := c.startFile(t, "copy", gse.FileTask{
				Sources: []gse.FileSource{{Host: &from, Path: src, Account: c.Account}},
				Targets: []gse.Host{to}, TargetDir: dir, Mode: mode,
			})
			dest := filepath.Join(dir, "payload.bin")
			if mode == gse.TransferSafetyIP {
				dest = filepath.Join(dir, strconv.FormatInt(from.CloudID, 10)+"_"+from.IP, "payload.bin")
			}
			c.checkCopied(t, id, to, dest, sum, data)
		})
	}
}

func (c *suite) fileFromBlob(t *testing.T) {
	if c.Blob == nil {
		t.Skip("the transport has no blob store")
	}
	data := make([]byte, 300<<10)
	_, _ = rand.Read(data)
	key := "gsetest/" + taskID("blob") + "/config.txt"
	info, err := c.Blob.Put(t.Context(), key, bytes.NewReader(data))
	require.NoError(t, err)
	to := c.Hosts[1]
	dir := c.targetDir(t, true)
	id := c.startFile(t, "blob", gse.FileTask{
		Sources: []gse.FileSource{{BlobKey: key, Name: "renamed.txt"}},
		Targets: []gse.Host{to}, TargetDir: dir, Mode: gse.TransferStrict,
	})
	c.checkCopied(t, id, to, filepath.Join(dir, "renamed.txt"), info.SHA256, data)
}

func (c *suite) fileStrict(t *testing.T) {
	src, _, _ := c.sourceFile(t, "strict.txt", 10)
	from, to := c.Hosts[0], c.Hosts[1]
	dir := c.targetDir(t, false)
	id := c.startFile(t, "strict", gse.FileTask{
		Sources: []gse.FileSource{{Host: &from, Path: src}},
		Targets: []gse.Host{to}, TargetDir: dir, Mode: gse.TransferStrict,
	})
	res := c.Recorder.WaitResult(t, id, to.ID, Wait)
	require.NotEqual(t, gse.HostStatusSuccess, res.Status)
	require.NotEmpty(t, res.ErrorMsg)
	_, err := os.Stat(dir)
	require.True(t, errors.Is(err, os.ErrNotExist), "mode 1 must not create %s", dir)
}

func (c *suite) fileMissing(t *testing.T) {
	from, to := c.Hosts[0], c.Hosts[1]
	id := c.startFile(t, "missing", gse.FileTask{
		Sources: []gse.FileSource{{Host: &from, Path: filepath.Join(c.dir, "no-such-file")}},
		Targets: []gse.Host{to}, TargetDir: c.targetDir(t, true), Mode: gse.TransferForce,
	})
	res := c.Recorder.WaitResult(t, id, to.ID, Wait)
	require.Equal(t, gse.HostStatusSourceNotExist, res.Status, res.ErrorMsg)
}

func (c *suite) pathTraversal(t *testing.T) {
	src, _, _ := c.sourceFile(t, "evil.txt", 10)
	from, to := c.Hosts[0], c.Hosts[1]
	escape := "escape-" + strconv.FormatInt(nowNano(), 36)
	inside := c.targetDir(t, true)
	tests := []struct {
		name    string
		dir     string
		srcName string
		outside string // where the file would land if the path were followed
	}{
		{"dotdot in target dir", filepath.Join(c.dir, "x") + "/../../" + escape, "", filepath.Join(filepath.Dir(c.dir), escape)},
		{"relative target dir", "relative/" + escape, "", ""},
		{"dotdot in file name", inside, "../" + escape, filepath.Join(c.dir, escape)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task := gse.FileTask{
				TaskID:  taskID("traversal"),
				Sources: []gse.FileSource{{Host: &from, Path: src, Name: tt.srcName}},
				Targets: []gse.Host{to}, TargetDir: tt.dir, Mode: gse.TransferForce, Account: c.Account, Timeout: Wait,
			}
			if err := c.Transport.StartFile(t.Context(), task); err == nil {
				res := c.Recorder.WaitResult(t, task.TaskID, to.ID, Wait)
				require.NotEqual(t, gse.HostStatusSuccess, res.Status, "a path with .. must be refused")
			}
			if tt.outside != "" {
				_, err := os.Stat(tt.outside)
				require.True(t, errors.Is(err, os.ErrNotExist), "%s was written outside the target dir", tt.outside)
			}
		})
	}
}

func nowNano() int64 { return time.Now().UnixNano() }
