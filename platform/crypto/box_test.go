package crypto

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSealRoundTripAndKeyFile(t *testing.T) {
	dir := t.TempDir()
	box, err := Open("", dir)
	require.NoError(t, err)
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	sealed, err := box.Seal("hunter2")
	require.NoError(t, err)
	require.NotContains(t, sealed, "hunter2")

	again, err := Open("", dir) // same key file, same key
	require.NoError(t, err)
	plain, err := again.Unseal(sealed)
	require.NoError(t, err)
	require.Equal(t, "hunter2", plain)

	other, err := Open("", t.TempDir())
	require.NoError(t, err)
	_, err = other.Unseal(sealed)
	require.Error(t, err, "a different key must not open the secret")

	_, err = box.Unseal("plain text")
	require.ErrorIs(t, err, ErrNotSealed)

	empty, err := box.Seal("")
	require.NoError(t, err)
	require.Empty(t, empty)
}

func TestConfigKeyMustBe32Bytes(t *testing.T) {
	_, err := Open("c2hvcnQ=", t.TempDir())
	require.ErrorContains(t, err, "32 bytes")
}
