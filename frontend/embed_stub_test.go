//go:build !ui

package frontend

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDistWithoutUITag(t *testing.T) {
	fsys, ok := Dist()
	require.False(t, ok)
	require.Nil(t, fsys)
	require.Contains(t, BuildHint, "go tool task build")
}
