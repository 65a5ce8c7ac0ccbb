package ssh

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/platform/errs"
)

func TestScriptResults(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig()})
	h := env.hosts(t, 1)

	tests := []struct {
		name     string
		task     gse.ScriptTask
		status   int
		exit     int
		output   string
		contains string
		tag      string
	}{
		{name: "success", task: gse.ScriptTask{Language: gse.LangShell, Content: "echo hello"},
			status: gse.HostStatusSuccess, output: "hello\n"},
		{name: "non-zero exit", task: gse.ScriptTask{Language: gse.LangShell, Content: "echo bye; exit 3"},
			status: gse.HostStatusScriptNonZeroExit, exit: 3, output: "bye\n"},
		{name: "stderr merged in order", task: gse.ScriptTask{Language: gse.LangShell, Content: "echo out; echo err >&2; echo out2"},
			status: gse.HostStatusSuccess, output: "out\nerr\nout2\n"},
		{name: "params and env", task: gse.ScriptTask{Language: gse.LangShell, Content: `echo "$1-$2-$GREETING"`,
			Params: "a 'b c'", Env: map[string]string{"GREETING": "it's ok"}},
			status: gse.HostStatusSuccess, output: "a-b c-it's ok\n"},
		{name: "work dir", task: gse.ScriptTask{Language: gse.LangShell, Content: "pwd", WorkDir: "/usr"},
			status: gse.HostStatusSuccess, output: "/usr\n"},
		{name: "tag success", task: gse.ScriptTask{Language: gse.LangShell, Content: "echo 'job_success:[all good]'"},
			status: gse.HostStatusSuccess, output: "job_success:[all good]\n", tag: "all good"},
		{name: "tag fail", task: gse.ScriptTask{Language: gse.LangShell, Content: "echo 'job_fail:[disk full]'; exit 1"},
			status: gse.HostStatusScriptNonZeroExit, exit: 1, output: "job_fail:[disk full]\n", tag: "disk full"},
		{name: "python", task: gse.ScriptTask{Language: gse.LangPython, Content: "import sys\nprint('py', sys.argv[1])\nsys.exit(2)", Params: "x"},
			status: gse.HostStatusScriptNonZeroExit, exit: 2, output: "py x\n"},
		{name: "perl", task: gse.ScriptTask{Language: gse.LangPerl, Content: `print "perl\n";`},
			status: gse.HostStatusSuccess, output: "perl\n"},
		{name: "missing interpreter", task: gse.ScriptTask{Language: gse.LangPowerShell, Content: "Write-Output hi"},
			status: gse.HostStatusScriptFailed, exit: 127, contains: "interpreter pwsh not found"},
		{name: "bat refused", task: gse.ScriptTask{Language: gse.LangBat, Content: "echo hi"},
			status: gse.HostStatusScriptFailed, exit: -1, contains: "Windows"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task := tt.task
			task.TaskID = fmt.Sprintf("results-%d", i)
			task.Hosts = h
			if task.Language == gse.LangPowerShell {
				if _, err := os.Stat("/usr/bin/pwsh"); err == nil {
					t.Skip("pwsh is installed here")
				}
			}
			require.NoError(t, tr.StartScript(context.Background(), task))
			res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
			require.Equal(t, tt.status, res.Status, res.ErrorMsg)
			require.Equal(t, tt.exit, res.ExitCode)
			require.Equal(t, tt.tag, res.Tag)
			if tt.contains != "" {
				require.Contains(t, res.ErrorMsg, tt.contains)
			}
			if tt.output != "" || tt.contains == "" {
				require.Equal(t, tt.output, rec.StrictOutput(t, task.TaskID, 1))
				require.Equal(t, int64(len(tt.output)), res.Offset)
			}
			require.False(t, res.End.Before(res.Start))
		})
	}
}

func TestScriptManyHostsEachReached(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig()})
	hosts := env.hosts(t, min(5, len(env.addrs)))
	task := gse.ScriptTask{TaskID: "many", Hosts: hosts, Language: gse.LangShell,
		Content: `set -- $SSH_CONNECTION; echo "$3"`}
	require.NoError(t, tr.StartScript(context.Background(), task))
	results := rec.WaitResults(t, task.TaskID, gsetest.Wait, hosts...)
	for _, h := range hosts {
		require.Equal(t, gse.HostStatusSuccess, results[h.ID].Status)
		require.Equal(t, h.IP+"\n", rec.StrictOutput(t, task.TaskID, h.ID), "host %d answered on its own address", h.ID)
		first := rec.HostEvents(task.TaskID, h.ID)[0]
		require.Equal(t, gse.EventResult, first.Kind, "running is reported first")
		require.Equal(t, gse.HostStatusRunning, first.Result.Status, "running is reported first")
	}
}

func TestScriptOutputStreamedBeforeEnd(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig()})
	h := env.hosts(t, 1)
	gate := filepath.Join(t.TempDir(), "gate")
	task := gse.ScriptTask{TaskID: "stream", Hosts: h, Language: gse.LangShell,
		Content: fmt.Sprintf("echo first\nwhile [ ! -e %s ]; do sleep 0.05; done\necho second\n", gate)}
	require.NoError(t, tr.StartScript(context.Background(), task))

	require.Eventually(t, func() bool {
		return rec.StrictOutput(t, task.TaskID, 1) == "first\n"
	}, 20*time.Second, 10*time.Millisecond)
	_, finished := rec.Result(task.TaskID, 1)
	require.False(t, finished, "the script is still blocked on the gate")

	require.NoError(t, os.WriteFile(gate, nil, 0o644))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
	require.Equal(t, gse.HostStatusSuccess, res.Status)
	require.Equal(t, "first\nsecond\n", rec.StrictOutput(t, task.TaskID, 1))
}

// treeScript starts a background child and a foreground sleep, records
// both pids and the shell's own, then blocks.
func treeScript(pidFile, extra string) string {
	return fmt.Sprintf("%s\nsleep 300 &\necho $! $$ > %s.tmp && mv %s.tmp %s\necho started\nsleep 300\n",
		extra, pidFile, pidFile, pidFile)
}

func TestScriptTimeoutKillsProcessTree(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig()})
	h := env.hosts(t, 1)
	warmUp(t, tr, rec, h)
	pidFile := filepath.Join(t.TempDir(), "pids")
	task := gse.ScriptTask{TaskID: "timeout", Hosts: h, Language: gse.LangShell,
		Content: treeScript(pidFile, ""), Timeout: gsetest.ScriptTimeout}
	require.NoError(t, tr.StartScript(context.Background(), task))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
	require.Equal(t, gse.HostStatusScriptTimeout, res.Status, res.ErrorMsg)
	require.Equal(t, "started\n", rec.StrictOutput(t, task.TaskID, 1))
	pids := readPIDs(t, pidFile)
	require.Len(t, pids, 2)
	require.Eventually(t, func() bool { return !alive(pids[0]) && !alive(pids[1]) },
		10*time.Second, 20*time.Millisecond, "script and its child must be gone: %v", pids)
}

func TestScriptStopKillsProcessTree(t *testing.T) {
	env := requireSSH(t)
	tests := []struct {
		name  string
		extra string
	}{
		{name: "terminates", extra: ""},
		{name: "ignores SIGTERM", extra: "trap '' TERM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := gsetest.NewRecorder()
			tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig()})
			h := env.hosts(t, 1)
			pidFile := filepath.Join(t.TempDir(), "pids")
			task := gse.ScriptTask{TaskID: "stop", Hosts: h, Language: gse.LangShell, Content: treeScript(pidFile, tt.extra)}
			require.NoError(t, tr.StartScript(context.Background(), task))
			require.Eventually(t, func() bool { return rec.StrictOutput(t, task.TaskID, 1) == "started\n" },
				20*time.Second, 10*time.Millisecond)
			pids := readPIDs(t, pidFile)
			require.True(t, alive(pids[0]) && alive(pids[1]))

			require.NoError(t, tr.Stop(context.Background(), task.TaskID, nil))
			res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
			require.Equal(t, gse.HostStatusScriptTerminate, res.Status, res.ErrorMsg)
			require.Equal(t, gse.ErrorCodeTerminated, res.ErrorCode)
			require.Eventually(t, func() bool { return !alive(pids[0]) && !alive(pids[1]) },
				10*time.Second, 20*time.Millisecond, "script and its child must be gone: %v", pids)
		})
	}
}

func TestScriptStopQueuedHost(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	cfg := testConfig()
	cfg.MaxConcurrent = 1
	tr := newTestTransport(t, env, rec, transportOpts{cfg: cfg})
	hosts := env.hosts(t, 2)
	task := gse.ScriptTask{TaskID: "queued", Hosts: hosts, Language: gse.LangShell, Content: "echo started; sleep 300"}
	require.NoError(t, tr.StartScript(context.Background(), task))
	var running int64
	require.Eventually(t, func() bool {
		for _, h := range hosts {
			if rec.StrictOutput(t, task.TaskID, h.ID) == "started\n" {
				running = h.ID
				return true
			}
		}
		return false
	}, 20*time.Second, 10*time.Millisecond)
	queued := hosts[0].ID
	if queued == running {
		queued = hosts[1].ID
	}
	require.NoError(t, tr.Stop(context.Background(), task.TaskID, []int64{queued}))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, gse.Host{ID: queued})[queued]
	require.Equal(t, gse.HostStatusScriptTerminate, res.Status)
	require.Empty(t, rec.StrictOutput(t, task.TaskID, queued), "a queued host never ran")
	_, finished := rec.Result(task.TaskID, running)
	require.False(t, finished, "stopping one host leaves the other running")

	require.NoError(t, tr.Stop(context.Background(), task.TaskID, []int64{running}))
	require.Equal(t, gse.HostStatusScriptTerminate, rec.WaitResults(t, task.TaskID, gsetest.Wait, gse.Host{ID: running})[running].Status)
}

func TestScriptRunAsAccount(t *testing.T) {
	env := requireSSH(t)
	if env.user != "root" {
		t.Skipf("run-as needs a root SSH login, the test server logs in as %s", env.user)
	}
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig()})
	h := env.hosts(t, 1)

	task := gse.ScriptTask{TaskID: "runas", Hosts: h, Language: gse.LangShell, Account: "nobody",
		Content: `id -un; stat -c '%U %a' "$0"; stat -c '%U %a' "$(dirname "$0")"; echo "$USER $LOGNAME $SHELL $HOME"`}
	require.NoError(t, tr.StartScript(context.Background(), task))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	nobody, err := user.Lookup("nobody")
	require.NoError(t, err)
	require.Equal(t, "nobody\nnobody 700\nnobody 700\nnobody nobody /bin/sh "+nobody.HomeDir+"\n", rec.StrictOutput(t, task.TaskID, 1))

	task = gse.ScriptTask{TaskID: "runas-missing", Hosts: h, Language: gse.LangShell, Account: "bkjob-no-such-user", Content: "id"}
	require.NoError(t, tr.StartScript(context.Background(), task))
	res = rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
	require.Equal(t, gse.HostStatusGSEUserError, res.Status)
	require.Contains(t, res.ErrorMsg, "bkjob-no-such-user")
}

func TestAccountNeedsRootLogin(t *testing.T) {
	tr := &Transport{}
	own, err := tr.account(context.Background(), nil, "deploy", "deploy")
	require.NoError(t, err)
	require.Nil(t, own, "the login user itself needs no switch")

	_, err = tr.account(context.Background(), nil, "deploy", "mysql")
	require.Error(t, err)
	require.Equal(t, gse.HostStatusGSEUserError, statusOf(err))
	require.Contains(t, err.Error(), "not root")
}

func TestScriptOutputCapped(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	cfg := testConfig()
	cfg.MaxOutputBytes = 1000
	tr := newTestTransport(t, env, rec, transportOpts{cfg: cfg})
	h := env.hosts(t, 1)
	task := gse.ScriptTask{TaskID: "cap", Hosts: h, Language: gse.LangShell,
		Content: "head -c 300000 /dev/zero | tr '\\0' a; echo; echo 'job_success:[after cap]'"}
	require.NoError(t, tr.StartScript(context.Background(), task))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
	require.Equal(t, gse.HostStatusSuccess, res.Status)
	want := strings.Repeat("a", 1000) + "\n[bkjob: output truncated at 1000 bytes]\n"
	require.Equal(t, want, rec.StrictOutput(t, task.TaskID, 1))
	require.Equal(t, int64(len(want)), res.Offset)
	require.Equal(t, "after cap", res.Tag, "tags are still read past the cap")
}

func TestSinkRefusalRedelivers(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	rec.RefuseNext(3)
	cfg := testConfig()
	cfg.SinkRetry = 10 * time.Millisecond
	tr := newTestTransport(t, env, rec, transportOpts{cfg: cfg})
	h := env.hosts(t, 1)
	task := gse.ScriptTask{TaskID: "refuse", Hosts: h, Language: gse.LangShell, Content: "echo one; echo two"}
	require.NoError(t, tr.StartScript(context.Background(), task))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
	require.Equal(t, gse.HostStatusSuccess, res.Status)
	require.Equal(t, "one\ntwo\n", rec.StrictOutput(t, task.TaskID, 1))
}

func TestStartScriptRefusesBadInput(t *testing.T) {
	env := requireSSH(t)
	tr := newTestTransport(t, env, gsetest.NewRecorder(), transportOpts{cfg: testConfig()})
	require.Error(t, tr.StartScript(context.Background(), gse.ScriptTask{Language: gse.LangShell}))
	require.Error(t, tr.StartScript(context.Background(), gse.ScriptTask{TaskID: "x", Env: map[string]string{"A B": "c"}}))
	h := env.hosts(t, 1)
	require.ErrorIs(t, tr.StartScript(context.Background(), gse.ScriptTask{TaskID: "dup", Hosts: append(h, h...)}), errs.ErrInvalid)

	require.NoError(t, tr.StartScript(context.Background(), gse.ScriptTask{TaskID: "empty"}), "no hosts is nothing to do")
	task := gse.ScriptTask{TaskID: "empty", Hosts: h, Language: gse.LangShell, Content: "true"}
	require.NoError(t, tr.StartScript(context.Background(), task), "the id of an empty task is free again")
}
