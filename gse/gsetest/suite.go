package gsetest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/output"
	"github.com/bkjob/bkjob/platform/blob"
)

// Wait bounds every wait of the suite; generous, as the machine may be busy.
const Wait = 60 * time.Second

// ScriptTimeout is the timeout of the timeout cases: long enough for an SSH
// host on a busy machine to stage and start the script (a login there can
// take seconds), short enough to keep the suite quick.
const ScriptTimeout = 6 * time.Second

// Setup is one transport under test. Its hosts are on this machine (for
// example agents with distinct --ip 127.0.0.x, or one sshd answering
// several loopback addresses), so the suite can check files and processes
// directly.
type Setup struct {
	Transport gse.Transport
	// Recorder's Sink is the transport's sink.
	Recorder *Recorder
	// Hosts are at least two hosts.
	Hosts []gse.Host
	// MaxOutputBytes is the transport's per-host output cap.
	MaxOutputBytes int64
	// Account is the OS account scripts and files use ("" = the
	// transport's default).
	Account string
	// RunAs is another OS account the transport can switch to; the run-as
	// test checks `id -un` prints it. Empty skips that test.
	RunAs string
	// Blob is the store blob-key sources are read from; nil skips the
	// blob-source test.
	Blob blob.Store
}

// Run is the contract every gse.Transport passes. newSetup is called once;
// the cases run one after another on it.
//
// Contract points that allow a choice: a file task with a path that
// escapes (".." in the target dir or a source name) is refused either by
// StartFile returning an error or by a failed final result on every target
// host; nothing may be written outside the target dir either way.
func Run(t *testing.T, newSetup func(t *testing.T) Setup) {
	s := newSetup(t)
	require.GreaterOrEqual(t, len(s.Hosts), 2, "the suite needs at least two hosts")
	require.NotNil(t, s.Recorder)
	require.Positive(t, s.MaxOutputBytes)
	c := &suite{Setup: s, dir: sharedDir(t)}
	t.Run("AgentStatus", c.agentStatus)
	t.Run("OutputStreamedBeforeEnd", c.outputStreamed)
	t.Run("ExitCodes", c.exitCodes)
	t.Run("ParamsEnvWorkDir", c.paramsEnvWorkDir)
	t.Run("ParamsNotExpanded", c.paramsNotExpanded)
	t.Run("ParamsUnbalancedRefused", c.paramsUnbalanced)
	t.Run("Tag", c.tag)
	t.Run("TimeoutKillsProcessTree", c.timeoutKills)
	t.Run("StopKillsProcessTree", c.stopKills)
	t.Run("LostOnlyWhatItDoesNotHold", c.lost)
	t.Run("LargeOutputCapped", c.largeOutput)
	t.Run("RunAs", c.runAs)
	t.Run("UnknownAccountFails", c.unknownAccount)
	t.Run("UnsupportedLanguageFails", c.badLanguage)
	t.Run("FileCopyHostToHosts", c.fileCopy)
	t.Run("FileCopyFromBlob", c.fileFromBlob)
	t.Run("FileStrictModeNeedsDir", c.fileStrict)
	t.Run("FileSourceMissing", c.fileMissing)
	t.Run("FilePathTraversalRefused", c.pathTraversal)
	require.Empty(t, s.Recorder.Violations(), "events out of order")
}

type suite struct {
	Setup
	dir string // world-accessible scratch dir for gate, pid and source files
}

// sharedDir is a scratch dir every account may use.
func sharedDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "bkjob-gsetest-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o777))
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// taskID returns a fresh task id.
func taskID(name string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "gsetest-" + name + "-" + hex.EncodeToString(b)
}

func (c *suite) script(t *testing.T, name, content, params string, hosts []gse.Host, mod func(*gse.ScriptTask)) string {
	t.Helper()
	id := taskID(name)
	task := gse.ScriptTask{TaskID: id, Hosts: hosts, Language: gse.LangShell, Content: content, Params: params,
		Account: c.Account, Timeout: Wait}
	if mod != nil {
		mod(&task)
	}
	require.NoError(t, c.Transport.StartScript(t.Context(), task))
	return id
}

func (c *suite) agentStatus(t *testing.T) {
	states, err := c.Transport.AgentStatus(t.Context(), c.Hosts)
	require.NoError(t, err)
	require.Len(t, states, len(c.Hosts))
	for i, st := range states {
		require.Equal(t, c.Hosts[i].ID, st.HostID)
		require.True(t, st.Alive, "host %d should be alive", st.HostID)
	}
}

func (c *suite) outputStreamed(t *testing.T) {
	gate := filepath.Join(c.dir, "gate-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	h := c.Hosts[0]
	id := c.script(t, "stream", `echo first
i=0
while [ ! -e "$1" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
echo second`, gate, c.Hosts[:1], nil)
	c.Recorder.WaitOutput(t, id, h.ID, "first\n", Wait)
	_, done := c.Recorder.Result(id, h.ID)
	require.False(t, done, "the script waits for the gate file: its result cannot be in yet")
	require.NoError(t, os.WriteFile(gate, nil, 0o644))
	res := c.Recorder.WaitResult(t, id, h.ID, Wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	require.Equal(t, "first\nsecond\n", c.Recorder.Output(id, h.ID))
	require.Equal(t, int64(len("first\nsecond\n")), res.Offset)
}

func (c *suite) exitCodes(t *testing.T) {
	tests := []struct {
		script string
		status int
		code   int
	}{
		{"exit 0", gse.HostStatusSuccess, 0},
		{"echo out; exit 3", gse.HostStatusScriptNonZeroExit, 3},
		{"false", gse.HostStatusScriptNonZeroExit, 1},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			id := c.script(t, "exit", tt.script, "", c.Hosts, nil)
			for _, h := range c.Hosts {
				res := c.Recorder.WaitResult(t, id, h.ID, Wait)
				require.Equal(t, tt.status, res.Status, res.ErrorMsg)
				require.Equal(t, tt.code, res.ExitCode)
				require.False(t, res.End.Before(res.Start), "end before start")
			}
		})
	}
}

func (c *suite) paramsEnvWorkDir(t *testing.T) {
	h := c.Hosts[1]
	id := c.script(t, "params", `printf '%s|%s|%s|%s\n' "$1" "$2" "$SUITE_VAR" "$(pwd)"`, `a "b c"`, []gse.Host{h},
		func(st *gse.ScriptTask) {
			st.Env = map[string]string{"SUITE_VAR": "v 1"}
			st.WorkDir = c.dir
		})
	res := c.Recorder.WaitResult(t, id, h.ID, Wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	require.Equal(t, "a|b c|v 1|"+c.dir+"\n", c.Recorder.Output(id, h.ID))
}

func (c *suite) tag(t *testing.T) {
	tests := []struct {
		script string
		tag    string
		status int
	}{
		{`echo x; echo "job_success:[all good]"`, "all good", gse.HostStatusSuccess},
		{`echo "job_fail:[disk full]"; exit 2`, "disk full", gse.HostStatusScriptNonZeroExit},
		{`echo plain`, "", gse.HostStatusSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			h := c.Hosts[0]
			id := c.script(t, "tag", tt.script, "", []gse.Host{h}, nil)
			res := c.Recorder.WaitResult(t, id, h.ID, Wait)
			require.Equal(t, tt.status, res.Status, res.ErrorMsg)
			require.Equal(t, tt.tag, res.Tag)
		})
	}
}

// processGone reports whether pid has exited (a zombie counts as gone).
func processGone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] == 'Z'
}

func waitPID(t *testing.T, file string) int {
	t.Helper()
	var pid int
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(file)
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && pid > 0
	}, Wait, 10*time.Millisecond, "the script never wrote its child's pid to %s", file)
	return pid
}

const treeScript = `sleep 300 &
echo $! > "$1"
echo started
wait`

func (c *suite) timeoutKills(t *testing.T) {
	h := c.Hosts[0]
	pidFile := filepath.Join(c.dir, "timeout-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	id := c.script(t, "timeout", treeScript, pidFile, []gse.Host{h}, func(st *gse.ScriptTask) { st.Timeout = ScriptTimeout })
	res := c.Recorder.WaitResult(t, id, h.ID, Wait)
	require.Equal(t, gse.HostStatusScriptTimeout, res.Status, res.ErrorMsg)
	pid := waitPID(t, pidFile)
	require.Eventually(t, func() bool { return processGone(pid) }, Wait, 20*time.Millisecond, "child sleep %d survived the timeout", pid)
}

func (c *suite) stopKills(t *testing.T) {
	h := c.Hosts[1]
	pidFile := filepath.Join(c.dir, "stop-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	id := c.script(t, "stop", treeScript, pidFile, []gse.Host{h}, nil)
	c.Recorder.WaitOutput(t, id, h.ID, "started\n", Wait)
	pid := waitPID(t, pidFile)
	require.False(t, processGone(pid), "the child should be running before the stop")
	require.NoError(t, c.Transport.Stop(t.Context(), id, nil))
	res := c.Recorder.WaitResult(t, id, h.ID, Wait)
	require.Equal(t, gse.HostStatusScriptTerminate, res.Status, res.ErrorMsg)
	require.Eventually(t, func() bool { return processGone(pid) }, Wait, 20*time.Millisecond, "child sleep %d survived the stop", pid)
}

func (c *suite) largeOutput(t *testing.T) {
	h := c.Hosts[0]
	n := 2*c.MaxOutputBytes + 12345
	id := c.script(t, "large", fmt.Sprintf("head -c %d /dev/zero | tr '\\0' a\necho done >&2", n), "", []gse.Host{h}, nil)
	res := c.Recorder.WaitResult(t, id, h.ID, Wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	want := strings.Repeat("a", int(c.MaxOutputBytes)) + output.TruncatedMarker(c.MaxOutputBytes)
	got := c.Recorder.Output(id, h.ID)
	require.Equal(t, len(want), len(got))
	require.True(t, got == want, "output should be the cap's worth of 'a' and the marker; it ends %q", got[max(0, len(got)-80):])
	require.Equal(t, int64(len(want)), res.Offset)
}

func (c *suite) runAs(t *testing.T) {
	if c.RunAs == "" {
		t.Skip("no second account to switch to (run as root to test it)")
	}
	h := c.Hosts[0]
	id := c.script(t, "runas", "id -un; echo $HOME; echo $USER", "", []gse.Host{h}, func(st *gse.ScriptTask) { st.Account = c.RunAs })
	res := c.Recorder.WaitResult(t, id, h.ID, Wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	lines := strings.Split(strings.TrimSpace(c.Recorder.Output(id, h.ID)), "\n")
	require.Len(t, lines, 3)
	require.Equal(t, c.RunAs, lines[0])
	require.Equal(t, c.RunAs, lines[2])
}

func (c *suite) unknownAccount(t *testing.T) {
	h := c.Hosts[0]
	id := c.script(t, "nouser", "echo should-not-run", "", []gse.Host{h}, func(st *gse.ScriptTask) { st.Account = "bkjob-no-such-user" })
	res := c.Recorder.WaitResult(t, id, h.ID, Wait)
	require.NotEqual(t, gse.HostStatusSuccess, res.Status)
	require.NotEmpty(t, res.ErrorMsg)
	require.NotContains(t, c.Recorder.Output(id, h.ID), "should-not-run")
}

func (c *suite) badLanguage(t *testing.T) {
	h := c.Hosts[0]
	id := c.script(t, "bat", "echo hi", "", []gse.Host{h}, func(st *gse.ScriptTask) { st.Language = gse.LangBat })
	res := c.Recorder.WaitResult(t, id, h.ID, Wait)
	require.NotEqual(t, gse.HostStatusSuccess, res.Status)
	require.Contains(t, strings.ToLower(res.ErrorMsg), "windows")
}
