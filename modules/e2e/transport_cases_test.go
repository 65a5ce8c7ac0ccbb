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

// capBytes is the per-host output cap the transport clusters run with.
const capBytes = 65536

// target is a host the tests run scripts on: an agent or an SSH host.
type target interface{ ip() string }

// transportCases are issue 3's per-transport behaviours, run through the
// OpenAPI v3 on three hosts of one transport. When private is set, each
// host sees its own empty filesystem at dst, as separate machines would.
type transportCases struct {
	c       *Cluster
	h1      target
	h2      target
	h3      target
	dst     string
	private bool
}

// run runs every case as a subtest.
func (s *transportCases) run(t *testing.T) {
	t.Run("OutputStreamedBeforeScriptEnds", s.outputStreamed)
	t.Run("ExitCodes", s.exitCodes)
	t.Run("TimeoutKillsProcessTree", s.timeoutKills)
	t.Run("TerminateKillsProcessTree", s.terminateKills)
	t.Run("RunAsAccount", s.runAs)
	t.Run("LargeOutputCapped", s.largeOutput)
	t.Run("FileCopiedToTwoHosts", s.fileCopy)
	t.Run("PathTraversalRefused", s.pathTraversal)
}

func (s *transportCases) outputStreamed(t *testing.T) {
	gate := filepath.Join(t.TempDir(), "go")
	script := fmt.Sprintf("echo first-line\nwhile [ ! -e %s ]; do sleep 0.1; done\necho second-line\n", gate)
	job := s.c.runScript(t, script, []target{s.h1}, nil)

	log := s.c.waitLog(t, job, s.h1.ip(), "first-line\n", time.Minute)
	require.NotContains(t, log, "second-line", "the script is still blocked")
	st := s.c.jobStatus(t, job.JobInstanceID)
	require.False(t, st.Finished, "output arrives while the script runs")
	require.Equal(t, runRunning, st.JobInstance.Status)

	require.NoError(t, os.WriteFile(gate, nil, 0o600))
	st = s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status)
	require.Equal(t, "first-line\nsecond-line\n", s.c.hostLog(t, job, s.h1.ip()), "nothing read twice")
}

func (s *transportCases) exitCodes(t *testing.T) {
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
			job := s.c.runScript(t, fmt.Sprintf("echo out\nexit %d\n", tc.exit), []target{s.h1, s.h2}, nil)
			st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
			require.Equal(t, tc.jobStatus, st.JobInstance.Status)
			require.Equal(t, tc.jobStatus, st.Steps[0].Status)
			for _, h := range []target{s.h1, s.h2} {
				r := st.host(t, h.ip())
				require.Equal(t, tc.hostStatus, r.Status, h.ip())
				require.Equal(t, tc.exit, r.ExitCode, h.ip())
			}
		})
	}
}

func (s *transportCases) timeoutKills(t *testing.T) {
	m := marker(t)
	script := sleeper(m) + "echo \"child=$!\"\nwait\n"
	job := s.c.runScript(t, script, []target{s.h1}, map[string]any{"timeout": 3})
	log := s.c.waitLog(t, job, s.h1.ip(), "child=", time.Minute)
	child := childPID(t, log)

	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runFail, st.JobInstance.Status)
	require.Equal(t, hostScriptTimeout, st.host(t, s.h1.ip()).Status)
	require.Eventually(t, func() bool { return len(pids(m)) == 0 && !alive(child, m) },
		30*time.Second, 100*time.Millisecond, "the background child of a timed-out script is still running")
}

func (s *transportCases) terminateKills(t *testing.T) {
	m := marker(t)
	script := sleeper(m) + "echo started\nwait\n"
	job := s.c.runScript(t, script, []target{s.h1, s.h2}, nil)
	s.c.waitLog(t, job, s.h1.ip(), "started", time.Minute)
	s.c.waitLog(t, job, s.h2.ip(), "started", time.Minute)
	require.Len(t, pids(m), 2, "one background sleep per host")

	s.c.v3(t, "operate_job_instance", scope(map[string]any{"job_instance_id": job.JobInstanceID, "operation_code": 1}))
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runStopSuccess, st.JobInstance.Status)
	require.Equal(t, runStopSuccess, st.Steps[0].Status)
	for _, h := range []target{s.h1, s.h2} {
		// bk-job reports 403 (GSE terminate success) or 103 (script terminated).
		require.Contains(t, []int{hostTerminated, hostScriptTerminated}, st.host(t, h.ip()).Status, h.ip())
	}
	require.Eventually(t, func() bool { return len(pids(m)) == 0 },
		30*time.Second, 100*time.Millisecond, "the background children of a terminated script are still running")
}

func (s *transportCases) runAs(t *testing.T) {
	job := s.c.runScript(t, "id -un\necho \"home=$HOME\"\n", []target{s.h1}, map[string]any{"account_alias": "root"})
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	if os.Geteuid() != 0 {
		// An agent that is not root runs only as itself: root fails clearly.
		require.NotEqual(t, hostSuccess, st.host(t, s.h1.ip()).Status)
		return
	}
	require.Equal(t, hostSuccess, st.host(t, s.h1.ip()).Status)
	require.Equal(t, "root\nhome=/root\n", s.c.hostLog(t, job, s.h1.ip()))
	// Only the `root` account exists through the API (accounts cannot be
	// created over OpenAPI v3 yet), so a second account is not exercised.
}

func (s *transportCases) largeOutput(t *testing.T) {
	script := "head -c 200000 /dev/zero | tr '\\0' x\necho\necho after-the-cap\n"
	job := s.c.runScript(t, script, []target{s.h1}, nil)
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, hostSuccess, st.host(t, s.h1.ip()).Status, "the exit code is still the script's")
	log := s.c.hostLog(t, job, s.h1.ip())
	require.Contains(t, log, "[bkjob: output truncated")
	require.NotContains(t, log, "after-the-cap")
	require.LessOrEqual(t, len(log), capBytes+200, "output is capped near %d bytes", capBytes)
	require.Greater(t, strings.Count(log, "x"), capBytes/2, "output up to the cap is kept")
}

func (s *transportCases) fileCopy(t *testing.T) {
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
			"server":    map[string]any{"ip_list": ipList(s.h1)},
		}},
		"target_server": map[string]any{"ip_list": ipList(s.h2, s.h3)},
	}), &job)
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status, "%+v", st)
	require.Equal(t, hostSuccess, st.host(t, s.h2.ip()).Status)
	require.Equal(t, hostSuccess, st.host(t, s.h3.ip()).Status)

	// Each target checks its own copy; the source host has none.
	check := s.c.runScript(t, "sha256sum "+s.dst+"/payload.bin", []target{s.h2, s.h3}, nil)
	cst := s.c.waitJob(t, check.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, cst.JobInstance.Status)
	for _, h := range []target{s.h2, s.h3} {
		require.Equal(t, want+"  "+s.dst+"/payload.bin\n", s.c.hostLog(t, check, h.ip()), h.ip())
	}
	none := s.c.runScript(t, "test ! -e "+s.dst+"/payload.bin", []target{s.h1}, nil)
	require.Equal(t, runSuccess, s.c.waitJob(t, none.JobInstanceID, time.Minute).JobInstance.Status)
}

func (s *transportCases) pathTraversal(t *testing.T) {
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
			"server":    map[string]any{"ip_list": ipList(s.h1)},
		}},
		"target_server": map[string]any{"ip_list": ipList(s.h2)},
	}))
	if env.Result {
		// Accepted by the API: the transport must refuse it on the host.
		var job created
		require.NoError(t, json.Unmarshal(env.Data, &job))
		st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
		require.Equal(t, runFail, st.JobInstance.Status)
		require.NotEqual(t, hostSuccess, st.host(t, s.h2.ip()).Status)
	} else {
		require.Contains(t, env.Message, "file_target_path")
		require.Equal(t, before, s.c.jobCount(t), "a refused request creates nothing")
	}
	_, err := os.Stat(filepath.Join(base, escape))
	require.ErrorIs(t, err, os.ErrNotExist, "nothing is written where the .. escape points")
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
