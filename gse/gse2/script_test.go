package gse2_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gse2"
	"github.com/bkjob/bkjob/gse/gse2/fakegse"
	"github.com/bkjob/bkjob/gse/gsetest"
)

func TestScriptResults(t *testing.T) {
	e := newEnv(t)
	rec := gsetest.NewRecorder()
	tr := newTransport(t, fastConfig(e.url), rec, nil)
	h := e.hosts[:1]
	tests := []struct {
		name   string
		task   gse.ScriptTask
		status int
		exit   int
		output string
		tag    string
	}{
		{name: "success", task: gse.ScriptTask{Content: "#!/bin/sh\necho hello\n"}, status: gse.HostStatusSuccess, output: "hello\n"},
		{name: "exit code normalised", task: gse.ScriptTask{Content: "#!/bin/sh\necho bye\nexit 3\n"},
			status: gse.HostStatusScriptNonZeroExit, exit: 3, output: "bye\n"},
		{name: "stderr merged", task: gse.ScriptTask{Content: "#!/bin/sh\necho out\necho err >&2\n"},
			status: gse.HostStatusSuccess, output: "out\nerr\n"},
		{name: "params", task: gse.ScriptTask{Content: "#!/bin/sh\necho \"$1|$2\"\n", Params: "a\n'b c'"},
			status: gse.HostStatusSuccess, output: "a|b c\n"},
		{name: "env and work dir", task: gse.ScriptTask{Content: "#!/bin/sh\necho \"$GREETING $(pwd)\"\n",
			Env: map[string]string{"GREETING": "it's"}, WorkDir: "/usr"}, status: gse.HostStatusSuccess, output: "it's /usr\n"},
		{name: "tag", task: gse.ScriptTask{Content: "#!/bin/sh\necho 'job_fail:[no disk]'\nexit 1\n"},
			status: gse.HostStatusScriptNonZeroExit, exit: 1, output: "job_fail:[no disk]\n", tag: "no disk"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task := tt.task
			task.TaskID = fmt.Sprintf("s-%d", i)
			task.Hosts, task.Language, task.Account = h, gse.LangShell, "root"
			require.NoError(t, tr.StartScript(context.Background(), task))
			res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
			require.Equal(t, tt.status, res.Status, res.ErrorMsg)
			require.Equal(t, tt.exit, res.ExitCode)
			require.Equal(t, tt.tag, res.Tag)
			require.Equal(t, tt.output, rec.StrictOutput(t, task.TaskID, 1))
			require.Equal(t, int64(len(tt.output)), res.Offset)
		})
	}
}

func TestScriptRequestShape(t *testing.T) {
	e := newEnv(t)
	rec := gsetest.NewRecorder()
	tr := newTransport(t, fastConfig(e.url), rec, nil)
	task := gse.ScriptTask{TaskID: "shape/1", Hosts: e.hosts[:2], Language: gse.LangPython,
		Content: "print(1)", Params: "-v", Account: "root", Timeout: 90 * time.Second}
	require.NoError(t, tr.StartScript(context.Background(), task))
	rec.WaitResults(t, task.TaskID, gsetest.Wait, e.hosts[:2]...)
	reqs := e.fake.Requests(gse2.PathExecuteScript)
	require.Len(t, reqs, 1)
	var req gse2.ExecuteScriptRequest
	require.NoError(t, json.Unmarshal(reqs[0], &req))
	require.Equal(t, []gse2.Agent{{AgentID: "a1", User: "root"}, {AgentID: "a2", User: "root"}}, req.Agents)
	require.Equal(t, gse2.Script{Name: "bk_gse_script_shape_1.py", StoreDir: "/tmp/bkjob/root", Content: "print(1)"}, req.Scripts[0])
	require.Equal(t, gse2.AtomicTask{ID: 0, Command: "/tmp/bkjob/root/bk_gse_script_shape_1.py '-v'", TimeoutSeconds: 90}, req.AtomicTasks[0])
	require.NotEmpty(t, e.fake.Requests(gse2.PathScriptResult))
}

func TestScriptStreamsLargeOutputInPages(t *testing.T) {
	e := newEnv(t)
	rec := gsetest.NewRecorder()
	cfg := fastConfig(e.url)
	cfg.LogLimit = 1000
	tr := newTransport(t, cfg, rec, nil)
	h := e.hosts[:1]
	gate := filepath.Join(t.TempDir(), "gate")
	task := gse.ScriptTask{TaskID: "pages", Hosts: h, Language: gse.LangShell,
		Content: fmt.Sprintf("#!/bin/sh\necho first\nwhile [ ! -e %s ]; do sleep 0.02; done\nhead -c 4500 /dev/zero | tr '\\0' x\n", gate)}
	require.NoError(t, tr.StartScript(context.Background(), task))
	require.Eventually(t, func() bool { return rec.StrictOutput(t, task.TaskID, 1) == "first\n" }, 10*time.Second, 5*time.Millisecond)
	_, finished := rec.Result(task.TaskID, 1)
	require.False(t, finished, "output arrives before the script ends")
	require.NoError(t, os.WriteFile(gate, nil, 0o644))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
	require.Equal(t, gse.HostStatusSuccess, res.Status)
	want := "first\n" + strings.Repeat("x", 4500)
	require.Equal(t, want, rec.StrictOutput(t, task.TaskID, 1), "every page of log is fetched before the result")
	chunks := 0
	for _, ev := range rec.HostEvents(task.TaskID, 1) {
		if ev.Kind == gse.EventOutput {
			chunks++
		}
	}
	require.GreaterOrEqual(t, chunks, 5)
}

// pidScript records the script's pid and a child's, then blocks.
func pidScript(pidFile string) string {
	return fmt.Sprintf("#!/bin/sh\nsleep 300 &\necho $! $$ > %s.tmp && mv %s.tmp %s\necho started\nwait\n", pidFile, pidFile, pidFile)
}

func pidsOf(t *testing.T, pidFile string) []int {
	t.Helper()
	data, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		pid, err := strconv.Atoi(f)
		require.NoError(t, err)
		pids = append(pids, pid)
	}
	return pids
}

func gone(pids []int) bool {
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		if _, rest, ok := strings.Cut(string(stat), ") "); ok && !strings.HasPrefix(rest, "Z") {
			return false
		}
	}
	return true
}

func TestScriptTimeoutAndStop(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name    string
		timeout time.Duration
		stop    bool
		status  int
		code    int
	}{
		{name: "gse timeout", timeout: time.Second, status: gse.HostStatusGSETimeout, code: gse.ErrorCodeOther},
		{name: "terminate", stop: true, status: gse.HostStatusTerminateSuccess, code: gse.ErrorCodeTerminated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := gsetest.NewRecorder()
			tr := newTransport(t, fastConfig(e.url), rec, nil)
			pidFile := filepath.Join(t.TempDir(), "pids")
			task := gse.ScriptTask{TaskID: "kill-" + tt.name, Hosts: e.hosts[:1], Language: gse.LangShell,
				Content: pidScript(pidFile), Timeout: tt.timeout}
			require.NoError(t, tr.StartScript(context.Background(), task))
			require.Eventually(t, func() bool { return rec.StrictOutput(t, task.TaskID, 1) == "started\n" }, 10*time.Second, 5*time.Millisecond)
			if tt.stop {
				require.NoError(t, tr.Stop(context.Background(), task.TaskID, []int64{1}))
			}
			res := rec.WaitResults(t, task.TaskID, gsetest.Wait, e.hosts[:1]...)[1]
			require.Equal(t, tt.status, res.Status, res.ErrorMsg)
			require.Equal(t, tt.code, res.ErrorCode)
			pids := pidsOf(t, pidFile)
			require.Eventually(t, func() bool { return gone(pids) }, 5*time.Second, 10*time.Millisecond)
		})
	}
}

func TestScriptErrorCodesMapped(t *testing.T) {
	codes := map[string]int{"e117": 117, "e1326": 1326, "e705": 705, "e119": 119, "e701": 701, "e101": 101, "e9999": 9999}
	want := map[string]int{
		"e117": gse.HostStatusGSEAgentError, "e1326": gse.HostStatusGSEUserPwdError, "e705": gse.HostStatusGSEFileError,
		"e119": gse.HostStatusGSEFileSizeExceed, "e701": gse.HostStatusGSEFileTaskError, "e101": gse.HostStatusGSETaskError,
		"e9999": gse.HostStatusFailed, "users": gse.HostStatusGSEUserError, "ghost": gse.HostStatusGSEAgentError,
	}
	var agents []fakegse.Agent
	for id, code := range codes {
		agents = append(agents, fakegse.Agent{ID: id, ErrorCode: code})
	}
	agents = append(agents, fakegse.Agent{ID: "users", Users: []string{"mysql"}})
	e := newEnv(t, agents...)
	hosts := append(e.hosts, gse.Host{ID: 100, AgentID: "ghost"}, gse.Host{ID: 101, IP: "10.9.9.9"})
	rec := gsetest.NewRecorder()
	tr := newTransport(t, fastConfig(e.url), rec, nil)
	task := gse.ScriptTask{TaskID: "codes", Hosts: hosts, Language: gse.LangShell, Content: "echo", Account: "root"}
	require.NoError(t, tr.StartScript(context.Background(), task))
	results := rec.WaitResults(t, task.TaskID, gsetest.Wait, hosts...)
	for _, h := range hosts {
		if h.AgentID == "" {
			require.Equal(t, gse.HostStatusAgentNotInstalled, results[h.ID].Status)
			continue
		}
		require.Equal(t, want[h.AgentID], results[h.ID].Status, "agent %s", h.AgentID)
		require.Equal(t, gse.ErrorCodeOther, results[h.ID].ErrorCode)
		require.NotEmpty(t, results[h.ID].ErrorMsg)
	}
}

func TestScriptNoResultsFailsHosts(t *testing.T) {
	e := newEnv(t)
	e.fake.SetDropResults(true)
	rec := gsetest.NewRecorder()
	cfg := fastConfig(e.url)
	cfg.NoResultTimeout = 200 * time.Millisecond
	tr := newTransport(t, cfg, rec, nil)
	task := gse.ScriptTask{TaskID: "lost", Hosts: e.hosts[:2], Language: gse.LangShell, Content: "#!/bin/sh\necho hi\n"}
	require.NoError(t, tr.StartScript(context.Background(), task))
	for _, res := range rec.WaitResults(t, task.TaskID, gsetest.Wait, e.hosts[:2]...) {
		require.Equal(t, gse.HostStatusGSETaskError, res.Status)
		require.Contains(t, res.ErrorMsg, "no result")
	}
}

func TestScriptOverdueIsTaskTimeout(t *testing.T) {
	e := newEnv(t)
	rec := gsetest.NewRecorder()
	cfg := fastConfig(e.url)
	cfg.TimeoutGrace = time.Millisecond
	tr := newTransport(t, cfg, rec, nil)
	// GSE is told 2s (timeouts round up to whole seconds); bkjob gives up at 1.2s + grace.
	task := gse.ScriptTask{TaskID: "overdue", Hosts: e.hosts[:1], Language: gse.LangShell,
		Content: "#!/bin/sh\nsleep 30\n", Timeout: 1200 * time.Millisecond}
	require.NoError(t, tr.StartScript(context.Background(), task))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, e.hosts[:1]...)[1]
	require.Equal(t, gse.HostStatusTaskTimeout, res.Status, res.ErrorMsg)
}

func TestAuthRefused(t *testing.T) {
	e := newEnv(t)
	cfg := fastConfig(e.url)
	cfg.AppSecret = "wrong"
	tr := newTransport(t, cfg, gsetest.NewRecorder(), nil)
	err := tr.StartScript(context.Background(), gse.ScriptTask{TaskID: "x", Hosts: e.hosts[:1], Content: "echo"})
	require.ErrorIs(t, err, gse2.ErrGSE)
	require.Contains(t, err.Error(), "401")
}

func TestSinkRefusalRedelivers(t *testing.T) {
	e := newEnv(t)
	rec := gsetest.NewRecorder()
	rec.RefuseNext(3)
	tr := newTransport(t, fastConfig(e.url), rec, nil)
	task := gse.ScriptTask{TaskID: "refuse", Hosts: e.hosts[:1], Language: gse.LangShell, Content: "#!/bin/sh\necho one\n"}
	require.NoError(t, tr.StartScript(context.Background(), task))
	require.Equal(t, gse.HostStatusSuccess, rec.WaitResults(t, task.TaskID, gsetest.Wait, e.hosts[:1]...)[1].Status)
	require.Equal(t, "one\n", rec.StrictOutput(t, task.TaskID, 1))
}

func TestAgentStatus(t *testing.T) {
	e := newEnv(t, fakegse.Agent{ID: "up", Version: "2.1.0"}, fakegse.Agent{ID: "sick", StatusCode: gse2.AgentInTrouble})
	tr := newTransport(t, fastConfig(e.url), gsetest.NewRecorder(), nil)
	hosts := append(e.hosts, gse.Host{ID: 7, AgentID: "unknown"}, gse.Host{ID: 8})
	states, err := tr.AgentStatus(context.Background(), hosts)
	require.NoError(t, err)
	require.Len(t, states, 4)
	require.True(t, states[0].Alive)
	require.Equal(t, "2.1.0", states[0].Version)
	require.False(t, states[0].Seen.IsZero())
	for _, s := range states[1:] {
		require.False(t, s.Alive, "host %d", s.HostID)
	}
}

func TestStartRefusals(t *testing.T) {
	e := newEnv(t)
	tr := newTransport(t, fastConfig(e.url), gsetest.NewRecorder(), nil)
	tests := []struct {
		name string
		task gse.ScriptTask
	}{
		{name: "no task id", task: gse.ScriptTask{Hosts: e.hosts}},
		{name: "shared agent id", task: gse.ScriptTask{TaskID: "x", Hosts: []gse.Host{{ID: 1, AgentID: "a1"}, {ID: 2, AgentID: "a1"}}}},
		{name: "env for python", task: gse.ScriptTask{TaskID: "x", Hosts: e.hosts, Language: gse.LangPython, Env: map[string]string{"A": "b"}}},
		{name: "bad env name", task: gse.ScriptTask{TaskID: "x", Hosts: e.hosts, Language: gse.LangShell, Env: map[string]string{"A-B": "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Error(t, tr.StartScript(context.Background(), tt.task))
		})
	}
	require.Empty(t, e.fake.Requests(gse2.PathExecuteScript), "nothing reached GSE")
}
