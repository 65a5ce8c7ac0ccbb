package hub_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/agent"
	"github.com/bkjob/bkjob/gse/hub"
)

// agentProcess starts the test binary as an agent process.
func agentProcess(t *testing.T, opts agent.Options) *exec.Cmd {
	t.Helper()
	raw, err := json.Marshal(opts)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), agentEnv+"="+string(raw))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("agent process log:\n%s", stderr.String())
		}
	})
	return cmd
}

func killAgent(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
}

func readPID(t *testing.T, file string) int {
	t.Helper()
	var pid int
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(file)
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil
	}, wait, 10*time.Millisecond)
	return pid
}

// alive reports whether pid runs (zombies count as dead).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] != 'Z'
}

// killGroupOf kills the process group of pid (cleanup of orphans).
func killGroupOf(pid int) {
	if pgid, err := syscall.Getpgid(pid); err == nil && pgid > 1 {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}

const treeScript = `sleep 300 &
echo $! > "$1"
echo started
wait`

// TestAgentRestartedMidScript: the agent process is killed mid-script and
// started again with the same data dir: it kills what is left of the script
// and reports the host as an agent error, with the output produced before.
func TestAgentRestartedMidScript(t *testing.T) {
	th := startHub(t, func(c *hub.Config) { c.OfflineAfterMissed = 300 })
	opts := th.agentOptions(t, "127.0.0.41")
	cmd := agentProcess(t, opts)
	host := th.waitHost(t, "127.0.0.41")
	pidFile := filepath.Join(t.TempDir(), "pid")

	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "restart", Hosts: []gse.Host{host}, Language: gse.LangShell, Content: treeScript, Params: pidFile}))
	th.rec.WaitOutput(t, "restart", host.ID, "started\n", wait)
	child := readPID(t, pidFile)
	t.Cleanup(func() { killGroupOf(child) })

	killAgent(t, cmd)
	require.True(t, alive(child), "the script outlives the agent process")
	agentProcess(t, opts)

	res := th.rec.WaitResult(t, "restart", host.ID, wait)
	require.Equal(t, gse.HostStatusAgentError, res.Status)
	require.Contains(t, res.ErrorMsg, "agent stopped while the task was running")
	require.Equal(t, "started\n", th.rec.Output("restart", host.ID))
	require.Eventually(t, func() bool { return !alive(child) }, wait, 10*time.Millisecond, "the restarted agent kills the script's leftovers")
	require.Eventually(t, func() bool { return spoolEmpty(opts.DataDir) }, wait, 10*time.Millisecond)
	require.Empty(t, th.rec.Violations())
}

// TestAgentKilledMarkedOffline: the agent process is killed mid-script and
// never comes back: after the offline window the hub reports the host as an
// agent error, so the task does not stay running forever.
func TestAgentKilledMarkedOffline(t *testing.T) {
	th := startHub(t, func(c *hub.Config) { c.OfflineAfterMissed = 5 })
	opts := th.agentOptions(t, "127.0.0.42")
	cmd := agentProcess(t, opts)
	host := th.waitHost(t, "127.0.0.42")
	pidFile := filepath.Join(t.TempDir(), "pid")

	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "killed", Hosts: []gse.Host{host}, Language: gse.LangShell, Content: treeScript, Params: pidFile}))
	th.rec.WaitOutput(t, "killed", host.ID, "started\n", wait)
	child := readPID(t, pidFile)
	t.Cleanup(func() { killGroupOf(child) })
	killAgent(t, cmd)

	res := th.rec.WaitResult(t, "killed", host.ID, wait)
	require.Equal(t, gse.HostStatusAgentError, res.Status)
	require.Contains(t, res.ErrorMsg, "offline")
	st, err := th.hub.AgentStatus(t.Context(), []gse.Host{host})
	require.NoError(t, err)
	require.False(t, st[0].Alive)
}
