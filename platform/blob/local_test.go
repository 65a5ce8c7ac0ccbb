package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLocalPutGetStatListDelete(t *testing.T) {
	ctx := context.Background()
	s, err := NewLocal(t.TempDir())
	require.NoError(t, err)

	body := strings.Repeat("bkjob ", 10000)
	want := sha256.Sum256([]byte(body))
	info, err := s.Put(ctx, "uploads/a/file.txt", strings.NewReader(body))
	require.NoError(t, err)
	require.Equal(t, int64(len(body)), info.Size)
	require.Equal(t, hex.EncodeToString(want[:]), info.SHA256)

	rc, got, err := s.Get(ctx, "uploads/a/file.txt")
	require.NoError(t, err)
	data, err := io.ReadAll(rc)
	require.NoError(t, rc.Close())
	require.NoError(t, err)
	require.Equal(t, body, string(data))
	require.Equal(t, info.SHA256, got.SHA256)

	_, err = s.Put(ctx, "uploads/b.txt", strings.NewReader("b"))
	require.NoError(t, err)
	_, err = s.Put(ctx, "other/c.txt", strings.NewReader("c"))
	require.NoError(t, err)
	list, err := s.List(ctx, "uploads/")
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "uploads/a/file.txt", list[0].Key)

	require.NoError(t, s.Delete(ctx, "uploads/b.txt"))
	_, err = s.Stat(ctx, "uploads/b.txt")
	require.ErrorIs(t, err, ErrNotFound)
	require.NoError(t, s.Delete(ctx, "uploads/b.txt"), "deleting twice is fine")
}

func TestLocalRefusesKeysOutsideRoot(t *testing.T) {
	s, err := NewLocal(t.TempDir())
	require.NoError(t, err)
	for _, key := range []string{"", "/etc/passwd", "../x", "a/../../x", "a//b", "x.sha256", "./a"} {
		_, err := s.Put(context.Background(), key, strings.NewReader("x"))
		require.ErrorIs(t, err, ErrBadKey, key)
	}
}

func TestLocalFailedPutLeavesOldObject(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := NewLocal(dir)
	require.NoError(t, err)
	_, err = s.Put(ctx, "f", strings.NewReader("old"))
	require.NoError(t, err)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Put(cctx, "f", strings.NewReader("new"))
	require.Error(t, err)

	rc, _, err := s.Get(ctx, "f")
	require.NoError(t, err)
	data, _ := io.ReadAll(rc)
	require.NoError(t, rc.Close())
	require.Equal(t, "old", string(data))
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		require.False(t, strings.HasPrefix(e.Name(), tmpPrefix), "temp file left behind")
	}
}

func TestLocalStatHashesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := NewLocal(dir)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "copied.bin"), []byte("abc"), 0o644))
	info, err := s.Stat(context.Background(), "copied.bin")
	require.NoError(t, err)
	require.Equal(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", info.SHA256)
}
