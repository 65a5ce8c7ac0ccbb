package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// agentPIDs lists the pids serve logged for the built-in agent processes
// it started, in order.
func agentPIDs(out string) []int {
	var pids []int
	for _, m := range regexp.MustCompile(`msg="local agent started" .*pid=(\d+)`).FindAllStringSubmatch(out, -1) {
		pid, err := strconv.Atoi(m[1])
		if err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

func processAlive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// TestLocalAgentIsSupervised: the built-in agent is a child process of
// serve, started again when it dies and stopped with serve.
func TestLocalAgentIsSupervised(t *testing.T) {
	c := StartCluster(t, "BKJOB_GSE__LOCAL_AGENT__ENABLED=true", "BKJOB_GSE__LOCAL_AGENT__IP=127.0.0.67")
	require.Eventually(t, func() bool { return len(agentPIDs(c.Output.String())) == 1 },
		30*time.Second, 50*time.Millisecond, "the local agent never started")
	connected := func(n int) func() bool {
		return func() bool { return strings.Count(c.Output.String(), `msg="agent connected" role=gse`) >= n }
	}
	require.Eventually(t, connected(1), 30*time.Second, 50*time.Millisecond, "the local agent never connected")
	first := agentPIDs(c.Output.String())[0]
	require.NoError(t, syscall.Kill(first, syscall.SIGKILL))
	require.Eventually(t, func() bool { return len(agentPIDs(c.Output.String())) == 2 },
		30*time.Second, 50*time.Millisecond, "the local agent was not restarted")
	require.Contains(t, c.Output.String(), "local agent exited; restarting")
	second := agentPIDs(c.Output.String())[1]
	require.NotEqual(t, first, second)

	// The restarted agent works.
	require.Eventually(t, connected(2), 30*time.Second, 50*time.Millisecond, "the restarted agent never connected")
	job := c.runScript(t, "echo from-the-child", []target{fixedIP("127.0.0.67")}, nil)
	st := c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status, "%+v", st)

	require.NoError(t, c.Stop(t))
	require.False(t, processAlive(second), "the local agent stops with serve")
}
