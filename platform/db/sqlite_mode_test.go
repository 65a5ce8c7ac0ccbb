//go:build unix

package db

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/config"
)

// TestSQLiteFilesArePrivate: the database and its -wal and -shm files are
// 0600 whatever the umask (SQLite alone creates them 0644).
func TestSQLiteFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := filepath.Join(t.TempDir(), "data")
	gdb, err := Open(context.Background(), config.DB{Driver: "sqlite", MaxOpenConns: 2}, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	require.NoError(t, gdb.Exec("CREATE TABLE t (x INTEGER)").Error)
	require.NoError(t, gdb.Exec("INSERT INTO t VALUES (1)").Error)
	for _, name := range []string{"bkjob.db", "bkjob.db-wal", "bkjob.db-shm"} {
		st, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err, name)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), name)
	}
	st, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), st.Mode().Perm())
	sqlDB, err := gdb.DB()
	require.NoError(t, err)
	require.NoError(t, sqlDB.Close())
}
