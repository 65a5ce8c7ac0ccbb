package ssh

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
)

// nobodyDir is a directory owned by the nobody account, as its home would
// be, reachable by it.
func nobodyDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bkjob-ssh-nobody-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	require.NoError(t, os.Chown(dir, 65534, 65534))
	return dir
}

// TestFileForAccountNeverFollowsPlantedLink: over SSH as root, a file for
// another account is put in place by that account, so a symbolic link it
// planted on the way to the target leads nowhere it could not write itself:
// the root-owned file stays as it was and the host fails saying why.
func TestFileForAccountNeverFollowsPlantedLink(t *testing.T) {
	env := requireSSH(t)
	if env.user != "root" {
		t.Skipf("acting for another account needs a root SSH login, the test server logs in as %s", env.user)
	}
	store := newBlob(t, "app.conf", []byte("pushed\n"))
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig(), blob: store})
	h := env.hosts(t, 1)

	victimDir := t.TempDir() // root's, 0700
	victim := filepath.Join(victimDir, "app.conf")
	require.NoError(t, os.WriteFile(victim, []byte("root secret\n"), 0o600))
	home := nobodyDir(t)
	link := filepath.Join(home, "conf")
	require.NoError(t, os.Symlink(victimDir, link))
	require.NoError(t, os.Lchown(link, 65534, 65534))

	task := gse.FileTask{TaskID: "planted", Targets: h, TargetDir: link, Account: "nobody",
		Sources: []gse.FileSource{{BlobKey: "app.conf"}}, Mode: gse.TransferForce}
	require.NoError(t, tr.StartFile(context.Background(), task))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
	require.Equal(t, gse.HostStatusFileError, res.Status, res.ErrorMsg)
	require.Contains(t, res.ErrorMsg, "as nobody")
	got, err := os.ReadFile(victim)
	require.NoError(t, err)
	require.Equal(t, "root secret\n", string(got))
	entries, err := os.ReadDir(victimDir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "nothing new in root's directory")
}
