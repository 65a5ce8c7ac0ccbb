package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// capBytes is the per-host output cap the agents cluster runs with.
const capBytes = 65536

// agentsSetup is one server and three agents (127.0.0.11–13) shared by the
// transport cases. When private mounts work, each agent has its own empty
// filesystem at dst, as separate machines would.
type agentsSetup struct {
	c       *Cluster
	a1      *Agent
	a2      *Agent
	a3      *Agent
	dst     string // target dir private to each agent ("" without private mounts)
	private bool
}

// TestAgentTransport proves issue 3's built-in agent behaviours through the
// OpenAPI v3 with real `bkjob agent` processes.
func TestAgentTransport(t *testing.T) {
	s := &agentsSetup{c: StartCluster(t, "BKJOB_GSE__MAX_OUTPUT_BYTES="+strconv.Itoa(capBytes))}
	var opt AgentOptions
	if canUnshare(t) {
		s.private, s.dst = true, t.TempDir()
		opt.PrivateDirs = []string{s.dst}
	}
	s.a1 = StartAgent(t, s.c, "127.0.0.11", opt)
	s.a2 = StartAgent(t, s.c, "127.0.0.12", opt)
	s.a3 = StartAgent(t, s.c, "127.0.0.13", opt)

	t.Run("HostsRegistered", s.hostsRegistered)
	t.Run("OutputStreamedBeforeScriptEnds", s.outputStreamed)
	t.Run("ExitCodes", s.exitCodes)
	t.Run("TimeoutKillsProcessTree", s.timeoutKills)
	t.Run("TerminateKillsProcessTree", s.terminateKills)
	t.Run("RunAsAccount", s.runAs)
	t.Run("LargeOutputCapped", s.largeOutput)
	t.Run("FileCopiedToTwoHosts", s.fileCopy)
	t.Run("PathTraversalRefused", s.pathTraversal)
	t.Run("RefusedToken", s.refusedToken)
}

func (s *agentsSetup) hostsRegistered(t *testing.T) {
	ids := []int64{s.a1.HostID(t), s.a2.HostID(t), s.a3.HostID(t)}
	require.Len(t, map[int64]bool{ids[0]: true, ids[1]: true, ids[2]: true}, 3, "distinct host ids")
	var info struct {
		List []struct {
			HostID int64 `json:"bk_host_id"`
			Status int   `json:"status"`
		} `json:"agent_info_list"`
	}
	s.c.v3Into(t, "query_agent_info", scope(map[string]any{"host_id_list": ids}), &info)
	require.Len(t, info.List, 3)
	for _, a := range info.List {
		require.Equal(t, 1, a.Status, "agent of host %d is normal", a.HostID)
	}
	// A target named by host id works like one named by IP.
	job := s.c.runScript(t, "echo by-id", nil, map[string]any{"target_server": map[string]any{"host_id_list": ids[:1]}})
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status)
	require.Equal(t, ids[0], st.host(t, s.a1.IP).HostID)
}

func (s *agentsSetup) outputStreamed(t *testing.T) {
	gate := filepath.Join(t.TempDir(), "go")
	script := fmt.Sprintf("echo first-line\nwhile [ ! -e %s ]; do sleep 0.1; done\necho second-line\n", gate)
	job := s.c.runScript(t, script, []*Agent{s.a1}, nil)

	log := s.c.waitLog(t, job, s.a1.IP, "first-line\n", time.Minute)
	require.NotContains(t, log, "second-line", "the script is still blocked")
	st := s.c.jobStatus(t, job.JobInstanceID)
	require.False(t, st.Finished, "output arrives while the script runs")
	require.Equal(t, runRunning, st.JobInstance.Status)

	require.NoError(t, os.WriteFile(gate, nil, 0o600))
	st = s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status)
	require.Equal(t, "first-line\nsecond-line\n", s.c.hostLog(t, job, s.a1.IP), "nothing read twice")
}

func (s *agentsSetup) exitCodes(t *testing.T) {
	for _, tc := range []struct {
		exit       int
		hostStatus int
		jobStatus  int
	}{
		{0, hostSuccess, runSuccess},
		{7, hostNonZeroExit, runFail},
		{255, hostNonZeroExit, runFail},
	} {
		t.Run(strconv.Itoa(tc.exit), func(t *testing.T) {
			job := s.c.runScript(t, fmt.Sprintf("echo out\nexit %d\n", tc.exit), []*Agent{s.a1, s.a2}, nil)
			st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
			require.Equal(t, tc.jobStatus, st.JobInstance.Status)
			require.Equal(t, tc.jobStatus, st.Steps[0].Status)
			for _, a := range []*Agent{s.a1, s.a2} {
				h := st.host(t, a.IP)
				require.Equal(t, tc.hostStatus, h.Status, a.IP)
				require.Equal(t, tc.exit, h.ExitCode, a.IP)
			}
		})
	}
}

func (s *agentsSetup) timeoutKills(t *testing.T) {
	m := marker(t)
	script := sleeper(m) + "echo \"child=$!\"\nwait\n"
	job := s.c.runScript(t, script, []*Agent{s.a1}, map[string]any{"timeout": 3})
	log := s.c.waitLog(t, job, s.a1.IP, "child=", time.Minute)
	child := childPID(t, log)

	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runFail, st.JobInstance.Status)
	require.Equal(t, hostScriptTimeout, st.host(t, s.a1.IP).Status)
	require.Eventually(t, func() bool { return len(pids(m)) == 0 && !alive(child, m) },
		30*time.Second, 100*time.Millisecond, "the background child of a timed-out script is still running")
}

func (s *agentsSetup) terminateKills(t *testing.T) {
	m := marker(t)
	script := sleeper(m) + "echo started\nwait\n"
	job := s.c.runScript(t, script, []*Agent{s.a1, s.a2}, nil)
	s.c.waitLog(t, job, s.a1.IP, "started", time.Minute)
	s.c.waitLog(t, job, s.a2.IP, "started", time.Minute)
	require.Len(t, pids(m), 2, "one background sleep per host")

	s.c.v3(t, "operate_job_instance", scope(map[string]any{"job_instance_id": job.JobInstanceID, "operation_code": 1}))
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runStopSuccess, st.JobInstance.Status)
	require.Equal(t, runStopSuccess, st.Steps[0].Status)
	for _, a := range []*Agent{s.a1, s.a2} {
		// bk-job reports 403 (GSE terminate success) or 103 (script terminated).
		require.Contains(t, []int{hostTerminated, hostScriptTerminated}, st.host(t, a.IP).Status, a.IP)
	}
	require.Eventually(t, func() bool { return len(pids(m)) == 0 },
		30*time.Second, 100*time.Millisecond, "the background children of a terminated script are still running")
}

func (s *agentsSetup) runAs(t *testing.T) {
	job := s.c.runScript(t, "id -un\necho \"home=$HOME\"\n", []*Agent{s.a1}, map[string]any{"account_alias": "root"})
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	if os.Geteuid() != 0 {
		// An agent that is not root runs only as itself: root fails clearly.
		require.NotEqual(t, hostSuccess, st.host(t, s.a1.IP).Status)
		return
	}
	require.Equal(t, hostSuccess, st.host(t, s.a1.IP).Status)
	require.Equal(t, "root\nhome=/root\n", s.c.hostLog(t, job, s.a1.IP))
	// Only the `root` account exists through the API (accounts cannot be
	// created over OpenAPI v3 yet), so a second account is not exercised.
}

func (s *agentsSetup) largeOutput(t *testing.T) {
	script := "head -c 200000 /dev/zero | tr '\\0' x\necho\necho after-the-cap\n"
	job := s.c.runScript(t, script, []*Agent{s.a1}, nil)
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, hostSuccess, st.host(t, s.a1.IP).Status, "the exit code is still the script's")
	log := s.c.hostLog(t, job, s.a1.IP)
	require.Contains(t, log, "[bkjob: output truncated")
	require.NotContains(t, log, "after-the-cap")
	require.LessOrEqual(t, len(log), capBytes+200, "output is capped near %d bytes", capBytes)
	require.Greater(t, strings.Count(log, "x"), capBytes/2, "output up to the cap is kept")
}

func (s *agentsSetup) fileCopy(t *testing.T) {
	if !s.private {
		t.Skip("needs private mounts (unshare --mount, tmpfs): agents on one machine would share the target dir")
	}
	src := t.TempDir()
	payload := []byte(randHex(t, 150000))
	require.NoError(t, os.WriteFile(filepath.Join(src, "payload.bin"), payload, 0o644))
	sum := sha256.Sum256(payload)
	want := hex.EncodeToString(sum[:])

	var job created
	s.c.v3Into(t, "fast_transfer_file", scope(map[string]any{
		"account_alias":    "root",
		"file_target_path": s.dst + "/",
		"file_source_list": []map[string]any{{
			"file_list": []string{filepath.Join(src, "payload.bin")},
			"account":   map[string]any{"alias": "root"},
			"server":    map[string]any{"ip_list": ipList(s.a1)},
		}},
		"target_server": map[string]any{"ip_list": ipList(s.a2, s.a3)},
	}), &job)
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status, "%+v", st)
	require.Equal(t, hostSuccess, st.host(t, s.a2.IP).Status)
	require.Equal(t, hostSuccess, st.host(t, s.a3.IP).Status)

	// Each target checks its own copy; the source host has none.
	check := s.c.runScript(t, "sha256sum "+s.dst+"/payload.bin", []*Agent{s.a2, s.a3}, nil)
	cst := s.c.waitJob(t, check.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, cst.JobInstance.Status)
	for _, a := range []*Agent{s.a2, s.a3} {
		require.Equal(t, want+"  "+s.dst+"/payload.bin\n", s.c.hostLog(t, check, a.IP), a.IP)
	}
	none := s.c.runScript(t, "test ! -e "+s.dst+"/payload.bin", []*Agent{s.a1}, nil)
	require.Equal(t, runSuccess, s.c.waitJob(t, none.JobInstanceID, time.Minute).JobInstance.Status)
}

func (s *agentsSetup) pathTraversal(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	require.NoError(t, os.MkdirAll(src, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "f.txt"), []byte("secret"), 0o644))
	escape := "escape-" + randHex(t, 4)
	target := filepath.Join(base, "dst") + "/sub/../../" + escape + "/"
	before := s.c.jobCount(t)
	env := s.c.call(t, "fast_transfer_file", scope(map[string]any{
		"account_alias":    "root",
		"file_target_path": target,
		"file_source_list": []map[string]any{{
			"file_list": []string{filepath.Join(src, "f.txt")},
			"account":   map[string]any{"alias": "root"},
			"server":    map[string]any{"ip_list": ipList(s.a1)},
		}},
		"target_server": map[string]any{"ip_list": ipList(s.a2)},
	}))
	if env.Result {
		// Accepted by the API: the transport must refuse it on the host.
		var job created
		require.NoError(t, json.Unmarshal(env.Data, &job))
		st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
		require.Equal(t, runFail, st.JobInstance.Status)
		require.NotEqual(t, hostSuccess, st.host(t, s.a2.IP).Status)
	} else {
		require.Contains(t, env.Message, "file_target_path")
		require.Equal(t, before, s.c.jobCount(t), "a refused request creates nothing")
	}
	_, err := os.Stat(filepath.Join(base, escape))
	require.ErrorIs(t, err, os.ErrNotExist, "nothing is written where the .. escape points")
}

func (s *agentsSetup) refusedToken(t *testing.T) {
	out, code := run(t, nil, "agent", "--server", s.c.URL, "--token", "not-"+s.c.Token,
		"--ip", "127.0.0.19", "--data-dir", t.TempDir())
	require.NotEqual(t, 0, code, out)
	require.Contains(t, out, "token refused")
	require.Contains(t, s.c.Output.String(), `msg="agent token refused"`, "the server logs it")
}

// childPID reads "child=<pid>" from a script's output.
func childPID(t *testing.T, log string) int {
	t.Helper()
	i := strings.Index(log, "child=")
	require.GreaterOrEqual(t, i, 0)
	f := strings.Fields(log[i+len("child="):])
	require.NotEmpty(t, f)
	pid, err := strconv.Atoi(f[0])
	require.NoError(t, err)
	return pid
}

// alive reports whether pid still runs with marker in its command line.
func alive(pid int, marker string) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && strings.Contains(string(b), marker)
}
