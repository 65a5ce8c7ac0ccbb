package agent

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTempFileNeverThroughPlantedLink: a partial file's name is
// predictable, so the account may plant a link (or a hard link) there; the
// agent writes its own new file instead and the linked file is untouched.
func TestTempFileNeverThroughPlantedLink(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to write for another account")
	}
	acct, err := resolveAccount("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	dir, err := os.MkdirTemp("", "bkjob-account-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chown(dir, int(acct.uid), int(acct.gid)))
	victimDir := t.TempDir()
	victim := filepath.Join(victimDir, "shadow")
	require.NoError(t, os.WriteFile(victim, []byte("root secret\n"), 0o600))
	inside := filepath.Join(dir, "inside")
	require.NoError(t, os.WriteFile(inside, []byte("root file in the target dir\n"), 0o600))

	root, err := openBeneath(dir, acct, false)
	require.NoError(t, err)
	rfs := &rootedFS{root: root, base: dir, acct: acct}
	t.Cleanup(rfs.close)

	tests := []struct {
		name  string
		plant func(p string) error
	}{
		{"absolute link out", func(p string) error { return os.Symlink(victim, p) }},
		{"relative link in", func(p string) error { return os.Symlink("inside", p) }},
		{"dangling link", func(p string) error { return os.Symlink(filepath.Join(victimDir, "new"), p) }},
		{"hard link", func(p string) error { return os.Link(inside, p) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := filepath.Join(dir, ".app.conf.bkjob-0123456789abcdef.part")
			require.NoError(t, tt.plant(tmp))
			f, err := rfs.openTemp(tmp)
			require.NoError(t, err)
			_, err = f.WriteString("pushed")
			require.NoError(t, err)
			require.NoError(t, f.Close())
			fi, err := os.Lstat(tmp)
			require.NoError(t, err)
			require.True(t, fi.Mode().IsRegular())
			require.NoError(t, os.Remove(tmp))

			got, err := os.ReadFile(victim)
			require.NoError(t, err)
			require.Equal(t, "root secret\n", string(got))
			got, err = os.ReadFile(inside)
			require.NoError(t, err)
			require.Equal(t, "root file in the target dir\n", string(got))
			require.NoFileExists(t, filepath.Join(victimDir, "new"))
		})
	}

	require.ErrorContains(t, rfs.mkdirs(filepath.Join(dir, "..", "x")), "outside the target directory")
}
