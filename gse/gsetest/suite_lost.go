package gsetest

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

// lost: a transport holds a running task on its host, and holds nothing
// for a task it never saw, so the engine can tell what a restart lost.
func (c *suite) lost(t *testing.T) {
	gate := filepath.Join(c.dir, "lost-gate-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	h := c.Hosts[0]
	id := c.script(t, "lost", `echo up
i=0
while [ ! -e "$1" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done`, gate, c.Hosts[:1], nil)
	c.Recorder.WaitOutput(t, id, h.ID, "up\n", Wait)

	lost, err := c.Transport.Lost(t.Context(), id, c.Hosts[:1])
	require.NoError(t, err)
	require.Empty(t, lost, "a running task is held")

	never := taskID("never-started")
	lost, err = c.Transport.Lost(t.Context(), never, c.Hosts)
	require.NoError(t, err)
	want := make([]int64, len(c.Hosts))
	for i, x := range c.Hosts {
		want[i] = x.ID
	}
	require.ElementsMatch(t, want, lost, "a task the transport never saw is lost on every host")

	require.NoError(t, os.WriteFile(gate, nil, 0o644))
	res := c.Recorder.WaitResult(t, id, h.ID, Wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
}
