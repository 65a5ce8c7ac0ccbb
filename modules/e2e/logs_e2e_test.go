package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLogOfHostNotStartedYet reads the log of a target whose rolling batch
// has not started: it is a target of the step, so its log is empty, not an
// error.
func TestLogOfHostNotStartedYet(t *testing.T) {
	c := StartCluster(t)
	a1 := StartAgent(t, c, "127.0.0.41", AgentOptions{})
	a2 := StartAgent(t, c, "127.0.0.42", AgentOptions{})
	gate := filepath.Join(t.TempDir(), "go")
	t.Cleanup(func() { _ = os.WriteFile(gate, nil, 0o600) })
	script := fmt.Sprintf("echo waiting\nwhile [ ! -e %s ]; do sleep 0.1; done\necho done\n", gate)
	job := c.runScript(t, script, []target{a1, a2}, map[string]any{"rolling_config": map[string]any{"expression": "1", "mode": 1}})
	c.waitLog(t, job, a1.IP, "waiting", time.Minute)

	env := c.call(t, "get_job_instance_ip_log", logBody(job, a2.IP))
	require.True(t, env.Result, "a2 (batch 2, not started) is a target: code %d: %s", env.Code, env.Message)
	require.Contains(t, string(env.Data), `"ip":"`+a2.IP+`"`)

	require.NoError(t, os.WriteFile(gate, nil, 0o600))
	st := c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status)
	require.Equal(t, "waiting\ndone\n", c.hostLog(t, job, a2.IP))
}
