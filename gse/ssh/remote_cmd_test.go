package ssh

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/platform/config"
)

// TestScriptCommandLocally runs the wrapper with the local shell, as sshd
// would, to check quoting, the pgid line and stderr merging without SSH.
func TestScriptCommandLocally(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("setsid (util-linux) is not installed")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "it's.sh")
	require.NoError(t, os.WriteFile(script, []byte(`echo "$1|$2|$V"; echo err >&2; exit 4`), 0o700))
	cmd, err := scriptCommand{
		lang: gse.LangShell, path: script, params: `one "two three"`,
		env: map[string]string{"V": `a'b"c $HOME`}, workDir: dir,
	}.build()
	require.NoError(t, err)

	var stdout, stderr bytes.Buffer
	c := exec.Command("/bin/sh", "-c", cmd)
	c.Stdout, c.Stderr = &stdout, &stderr
	err = c.Run()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr)
	require.Equal(t, 4, exitErr.ExitCode())
	require.Equal(t, "one|two three|a'b\"c $HOME\nerr\n", stdout.String())
	require.True(t, strings.HasPrefix(stderr.String(), ctlPGID), stderr.String())
}

func TestScriptCommandRefusals(t *testing.T) {
	tests := []struct {
		name string
		cmd  scriptCommand
		text string
	}{
		{name: "bat", cmd: scriptCommand{lang: gse.LangBat}, text: "Windows"},
		{name: "sql", cmd: scriptCommand{lang: gse.LangSQL}, text: "SQL"},
		{name: "unknown", cmd: scriptCommand{lang: 99}, text: "unknown script language 99"},
		{name: "bad env", cmd: scriptCommand{lang: gse.LangShell, env: map[string]string{"1A": "x"}}, text: "1A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.cmd.build()
			require.ErrorContains(t, err, tt.text)
			require.Equal(t, gse.HostStatusScriptFailed, statusOf(err))
		})
	}
}

func TestCheckAbsPath(t *testing.T) {
	tests := []struct {
		path string
		ok   bool
	}{
		{"/data/app", true}, {"/data/app/", true}, {"/a/./b", true}, {"/a..b/c", true},
		{"data", false}, {"", false}, {"/a/../b", false}, {"/..", false}, {"/a/..", false}, {"/a\x00b", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.ok, checkAbsPath(tt.path) == nil, tt.path)
	}
}

func TestConfig(t *testing.T) {
	require.NoError(t, Config{}.Validate())
	require.Error(t, Config{MaxConcurrent: -1}.Validate())
	require.Error(t, Config{RemoteTempDir: "tmp"}.Validate())
	c := Config{}.withDefaults()
	require.Equal(t, defaultMaxConcurrent, c.MaxConcurrent)
	require.Equal(t, int64(5<<20), c.MaxOutputBytes)
	require.Equal(t, "/tmp", c.RemoteTempDir)
}

func TestLimiter(t *testing.T) {
	require.Nil(t, limiter(0, 0))
	require.InDelta(t, 100, float64(limiter(100, 0).Limit()), 0)
	require.InDelta(t, 50, float64(limiter(100, 50).Limit()), 0)
	require.InDelta(t, 70, float64(limiter(0, 70).Limit()), 0)
}

func TestConfigFrom(t *testing.T) {
	c := &config.Config{DataDir: "/var/lib/bkjob"}
	c.GSE.MaxOutputBytes = 1234
	c.GSE.SSH = config.SSH{MaxConcurrent: 7, MaxSessionsPerConn: 3, KillGrace: time.Second, TrustOnFirstUse: true}
	got := ConfigFrom(c)
	require.Equal(t, Config{MaxConcurrent: 7, MaxSessionsPerConn: 3, KillGrace: time.Second, MaxOutputBytes: 1234, TrustOnFirstUse: true}, got)
	require.Equal(t, "/var/lib/bkjob/ssh_known_hosts", KnownHostsPath(c))
	c.GSE.SSH.KnownHostsFile = "/etc/bkjob/known_hosts"
	require.Equal(t, "/etc/bkjob/known_hosts", KnownHostsPath(c))
}

// TestScriptCommandHostileParams: the words of script_param reach the
// script quoted, so nothing in them runs in the wrapper's shell; the same
// table runs on every transport in the gsetest suite.
func TestScriptCommandHostileParams(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "args.sh")
	require.NoError(t, os.WriteFile(script, []byte(`for a in "$@"; do printf '[%s]\n' "$a"; done`), 0o700))
	cmd, err := scriptCommand{lang: gse.LangShell, path: script, params: gsetest.HostileParams, workDir: dir}.build()
	require.NoError(t, err)
	// Run the body the wrapper would exec, without setsid.
	out, err := exec.Command("/bin/sh", "-c", cmd[len("exec setsid -w "):]).Output()
	require.NoError(t, err)
	require.Equal(t, "["+strings.Join(gsetest.HostileArgv, "]\n[")+"]\n", string(out))
	require.NoFileExists(t, filepath.Join(dir, "out"), "> is a word, not a redirection")

	_, err = scriptCommand{lang: gse.LangShell, path: script, params: `a "b`, workDir: dir}.build()
	require.ErrorContains(t, err, "unterminated double quote")
}
