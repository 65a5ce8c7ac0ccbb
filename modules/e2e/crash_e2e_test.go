package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAgentDeath kills agents in the middle of a script: the host gets a
// final result either way, and nothing keeps running on its behalf.
func TestAgentDeath(t *testing.T) {
	c := StartCluster(t, "BKJOB_GSE__HEARTBEAT_INTERVAL=1s", "BKJOB_GSE__OFFLINE_AFTER_MISSED=3")

	t.Run("KilledAndRestarted", func(t *testing.T) {
		victim := StartAgent(t, c, "127.0.0.31", AgentOptions{})
		steady := StartAgent(t, c, "127.0.0.33", AgentOptions{})
		m := marker(t)
		gate := filepath.Join(t.TempDir(), "gate")
		t.Cleanup(func() { _ = os.WriteFile(gate, nil, 0o600) })
		script := sleeper(m) + fmt.Sprintf("child=$!\necho started\nwhile [ ! -e %s ]; do sleep 0.1; done\nkill $child\necho finished\n", gate)
		job := c.runScript(t, script, []target{victim, steady}, nil)
		c.waitLog(t, job, victim.IP, "started", time.Minute)
		c.waitLog(t, job, steady.IP, "started", time.Minute)
		require.Len(t, pids(m), 2)

		victim.Kill(t)
		victim.Restart(t)
		st := c.waitFor(t, job.JobInstanceID, "victim host final", time.Minute, func(st jobStatus) bool {
			h, ok := st.find(victim.IP)
			return ok && h.Status == hostAgentError
		})
		require.False(t, st.Finished, "the other host still runs")
		require.Eventually(t, func() bool { return len(pids(m)) == 1 }, 30*time.Second, 100*time.Millisecond,
			"the restarted agent kills what is left of the cut-off script")

		require.NoError(t, os.WriteFile(gate, nil, 0o600))
		st = c.waitJob(t, job.JobInstanceID, time.Minute)
		require.Equal(t, runFail, st.JobInstance.Status)
		require.Equal(t, hostSuccess, st.host(t, steady.IP).Status)
		require.Equal(t, hostAgentError, st.host(t, victim.IP).Status)
		require.Equal(t, "started\nfinished\n", c.hostLog(t, job, steady.IP))
		require.Equal(t, "started\n", c.hostLog(t, job, victim.IP), "output before the crash is kept")
		require.Empty(t, pids(m))

		// The restarted agent runs new work under the same host.
		again := c.runScript(t, "echo back", []target{victim}, nil)
		require.Equal(t, runSuccess, c.waitJob(t, again.JobInstanceID, time.Minute).JobInstance.Status)
	})

	t.Run("KilledForGood", func(t *testing.T) {
		victim := StartAgent(t, c, "127.0.0.32", AgentOptions{})
		m := marker(t) // the orphaned script is killed by pid when the test ends
		job := c.runScript(t, "echo started\nexec -a "+m+" sleep 300\n", []target{victim}, nil)
		c.waitLog(t, job, victim.IP, "started", time.Minute)

		victim.Kill(t)
		st := c.waitJob(t, job.JobInstanceID, time.Minute)
		require.Equal(t, runFail, st.JobInstance.Status)
		require.Equal(t, hostAgentError, st.host(t, victim.IP).Status, "marked as agent failure after missed heartbeats")

		var info struct {
			List []struct {
				HostID int64 `json:"bk_host_id"`
				Status int   `json:"status"`
			} `json:"agent_info_list"`
		}
		c.v3Into(t, "query_agent_info", scope(map[string]any{"host_id_list": []int64{victim.HostID(t)}}), &info)
		require.Len(t, info.List, 1)
		require.Equal(t, 0, info.List[0].Status, "agent abnormal")

		// A new task on the dead host fails at once instead of waiting.
		next := c.runScript(t, "echo never", []target{victim}, nil)
		st = c.waitJob(t, next.JobInstanceID, time.Minute)
		require.Equal(t, runFail, st.JobInstance.Status)
		require.Equal(t, hostAgentError, st.host(t, victim.IP).Status)
	})
}

// TestServerKilledMidTask kills -9 the server (every role, `execute`
// included) in the middle of a 50-host task and starts it again on the same
// data dir and port: the task finishes, every host has exactly one result
// and its log holds each line once, in order.
func TestServerKilledMidTask(t *testing.T) {
	const hosts, lines = 50, 20
	c := startCluster(t, ServerOptions{})

	// All 50 processes start at once; then each is waited for.
	agents := make([]*Agent, hosts)
	for i := range agents {
		agents[i] = StartAgent(t, c, fmt.Sprintf("127.0.0.%d", 10+i), AgentOptions{NoWait: true})
	}
	for _, a := range agents {
		a.WaitConnected(t)
	}
	ids := make([]int64, hosts)
	for i, a := range agents {
		ids[i] = a.HostID(t)
	}

	script := fmt.Sprintf("for i in $(seq 1 %d); do echo line $i; sleep 0.2; done\n", lines)
	targets := make([]target, len(agents))
	for i, a := range agents {
		targets[i] = a
	}
	job := c.runScript(t, script, targets, nil)

	// Kill once output is flowing and before any host is done.
	poll(t, 2*time.Minute, "output never flowed on half the hosts", func() (bool, string) {
		var out batchLogs
		if ok, why := c.try("batch_get_job_instance_ip_log", batchLogBody(job, ids), &out); !ok {
			return false, why
		}
		started := 0
		for _, l := range out.Logs {
			if strings.Contains(l.LogContent, "line 3\n") {
				started++
			}
		}
		return started >= hosts/2, fmt.Sprintf("%d hosts at line 3", started)
	})
	st := c.jobStatus(t, job.JobInstanceID)
	require.False(t, st.Finished, "killed in the middle: %+v", st)
	c.Kill(t)
	c.Restart(t)

	st = c.waitJob(t, job.JobInstanceID, 3*time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status, "%+v", st)
	require.Len(t, st.Steps, 1)
	require.Equal(t, 0, st.Steps[0].ExecuteCount, "no retry happened")
	seen := map[int64]int{}
	for _, h := range st.Steps[0].Hosts {
		seen[h.HostID]++
		require.Equal(t, hostSuccess, h.Status, h.IP)
		require.Equal(t, 0, h.ExitCode, h.IP)
	}
	require.Len(t, seen, hosts)
	for id, n := range seen {
		require.Equal(t, 1, n, "host %d has exactly one result", id)
	}

	var want strings.Builder
	for i := 1; i <= lines; i++ {
		fmt.Fprintf(&want, "line %d\n", i)
	}
	logs := c.batchLogs(t, job, ids)
	require.Len(t, logs, hosts)
	for _, a := range agents {
		require.Equal(t, want.String(), logs[a.IP], "log of %s: every line once, in order", a.IP)
	}
}

// batchLogs is batch_get_job_instance_ip_log's data.
type batchLogs struct {
	Logs []struct {
		HostID     int64  `json:"bk_host_id"`
		IP         string `json:"ip"`
		LogContent string `json:"log_content"`
	} `json:"script_task_logs"`
}

func batchLogBody(job created, ids []int64) map[string]any {
	return scope(map[string]any{
		"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID, "host_id_list": ids,
	})
}

// batchLogs reads the script logs of hosts by id, keyed by IP.
func (c *Cluster) batchLogs(t *testing.T, job created, ids []int64) map[string]string {
	t.Helper()
	var out batchLogs
	c.v3Into(t, "batch_get_job_instance_ip_log", batchLogBody(job, ids), &out)
	logs := make(map[string]string, len(out.Logs))
	for _, l := range out.Logs {
		logs[l.IP] = l.LogContent
	}
	return logs
}
