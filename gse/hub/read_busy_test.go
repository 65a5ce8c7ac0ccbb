package hub_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

// TestAgentOverReadCapCompletes: an honest agent running more file tasks
// than the hub's per-connection read cap gets "busy" for the reads over
// it, retries them, and every transfer completes.
func TestAgentOverReadCapCompletes(t *testing.T) {
	th, _, src, dst := twoAgents(t)
	th.hub.SetMaxReads(1)
	const tasks = 6
	data := make([][]byte, tasks)
	targets := make([]string, tasks)
	for i := range tasks {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("f%d.bin", i))
		data[i] = randomFile(t, path, 600<<10)
		targets[i] = t.TempDir()
		require.NoError(t, th.hub.StartFile(t.Context(), gse.FileTask{TaskID: fmt.Sprintf("busy-%d", i), Targets: []gse.Host{dst},
			TargetDir: targets[i], Sources: []gse.FileSource{{Host: &src, Path: path}}, Mode: gse.TransferForce, Timeout: wait}))
	}
	for i := range tasks {
		res := th.rec.WaitResult(t, fmt.Sprintf("busy-%d", i), dst.ID, wait)
		require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
		got, err := os.ReadFile(filepath.Join(targets[i], fmt.Sprintf("f%d.bin", i)))
		require.NoError(t, err)
		require.True(t, bytes.Equal(data[i], got))
	}
}
