//go:build ui

package frontend

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDistWithUITag(t *testing.T) {
	fsys, ok := Dist()
	require.True(t, ok)
	index, err := fs.ReadFile(fsys, "index.html")
	require.NoError(t, err)
	require.Contains(t, string(index), `<div id="app">`)
	assets, err := fs.ReadDir(fsys, "assets")
	require.NoError(t, err)
	require.NotEmpty(t, assets)
}
