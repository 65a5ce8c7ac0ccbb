package gse_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

func TestValidEnvName(t *testing.T) {
	for name, want := range map[string]bool{"A": true, "_x1": true, "PATH": true, "": false, "1A": false, "A-B": false, "A B": false, "É": false} {
		require.Equal(t, want, gse.ValidEnvName(name), name)
	}
}
