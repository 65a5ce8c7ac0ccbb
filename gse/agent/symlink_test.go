//go:build !windows

package agent_test

import (
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

// nobodyIDs skips unless the test runs as root and the nobody account
// exists: the agent must switch to it for its writes to be guarded.
func nobodyIDs(t *testing.T) (int, int) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to write for another account")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return uid, gid
}

// accountDir is a directory owned by the account, as its home would be.
func accountDir(t *testing.T, uid, gid int) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bkjob-account-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	require.NoError(t, os.Chown(dir, uid, gid))
	return dir
}

// TestFileWritesForAccountNeverFollowPlantedLinks: a file task for a
// non-root account writes nothing through a symbolic link that account
// planted in or on the way to its target directory; the root-owned file
// the link points at stays as it was and the task says why it failed.
// A link the account could not have planted is still followed.
func TestFileWritesForAccountNeverFollowPlantedLinks(t *testing.T) {
	uid, gid := nobodyIDs(t)
	th := startHub(t)
	src := th.startAgent(t, "127.0.0.91")
	target := th.startAgent(t, "127.0.0.92")

	srcPath := filepath.Join(t.TempDir(), "app.conf")
	require.NoError(t, os.WriteFile(srcPath, []byte("pushed\n"), 0o644))
	victimDir := t.TempDir() // root's, 0700
	victim := filepath.Join(victimDir, "app.conf")
	require.NoError(t, os.WriteFile(victim, []byte("root secret\n"), 0o600))

	run := func(t *testing.T, id, dir string, mode int) gse.HostResult {
		t.Helper()
		require.NoError(t, th.hub.StartFile(t.Context(), gse.FileTask{TaskID: id, Targets: []gse.Host{target}, TargetDir: dir,
			Account: "nobody", Sources: []gse.FileSource{{Host: &src, Path: srcPath, Account: "root"}}, Mode: mode, Timeout: wait}))
		return th.rec.WaitResult(t, id, target.ID, wait)
	}
	victimUnchanged := func(t *testing.T) {
		t.Helper()
		got, err := os.ReadFile(victim)
		require.NoError(t, err)
		require.Equal(t, "root secret\n", string(got), "the root-owned file was written through a link")
		entries, err := os.ReadDir(victimDir)
		require.NoError(t, err)
		require.Len(t, entries, 1, "nothing new in root's directory")
	}

	t.Run("directory below the target is a planted link", func(t *testing.T) {
		dir := accountDir(t, uid, gid)
		link := filepath.Join(dir, "0_127.0.0.91") // where transfer mode 3 puts files from the source
		require.NoError(t, os.Symlink(victimDir, link))
		require.NoError(t, os.Lchown(link, uid, gid))
		res := run(t, "link-below", dir, gse.TransferSafetyIP)
		require.Equal(t, gse.HostStatusCopyFileFailed, res.Status, res.ErrorMsg)
		require.Contains(t, res.ErrorMsg, "symbolic link")
		victimUnchanged(t)
	})

	t.Run("target directory is a planted link", func(t *testing.T) {
		home := accountDir(t, uid, gid)
		link := filepath.Join(home, "conf")
		require.NoError(t, os.Symlink(victimDir, link))
		require.NoError(t, os.Lchown(link, uid, gid))
		res := run(t, "link-target", link, gse.TransferForce)
		require.Equal(t, gse.HostStatusCopyFileFailed, res.Status, res.ErrorMsg)
		require.Contains(t, res.ErrorMsg, "symbolic link, which account nobody could have planted")
		victimUnchanged(t)
	})

	t.Run("file name is a planted link", func(t *testing.T) {
		dir := accountDir(t, uid, gid)
		link := filepath.Join(dir, "app.conf")
		require.NoError(t, os.Symlink(victim, link))
		require.NoError(t, os.Lchown(link, uid, gid))
		res := run(t, "link-file", dir, gse.TransferForce)
		require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
		victimUnchanged(t)
		fi, err := os.Lstat(link)
		require.NoError(t, err)
		require.True(t, fi.Mode().IsRegular(), "the link itself is replaced, not followed")
		got, err := os.ReadFile(link)
		require.NoError(t, err)
		require.Equal(t, "pushed\n", string(got))
	})

	t.Run("a link the account cannot have planted is followed", func(t *testing.T) {
		target := accountDir(t, uid, gid)
		rootDir := t.TempDir()
		require.NoError(t, os.Chmod(rootDir, 0o755))
		link := filepath.Join(rootDir, "data")
		require.NoError(t, os.Symlink(target, link))
		res := run(t, "link-trusted", filepath.Join(link, "sub"), gse.TransferForce)
		require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
		fi, err := os.Stat(filepath.Join(target, "sub", "app.conf"))
		require.NoError(t, err)
		require.Equal(t, uint32(uid), fileUID(fi))
		victimUnchanged(t)
	})
}
