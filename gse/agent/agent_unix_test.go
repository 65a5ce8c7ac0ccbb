//go:build !windows

package agent

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

// Unix accounts, environments and process groups.

func TestResolveAccount(t *testing.T) {
	self, err := user.Current()
	require.NoError(t, err)
	a, err := resolveAccount("")
	require.NoError(t, err)
	require.Equal(t, self.Username, a.name)
	require.False(t, a.switchUser)
	_, err = resolveAccount("bkjob-no-such-user")
	require.Error(t, err)
	if os.Geteuid() != 0 {
		_, err = resolveAccount("root")
		require.ErrorContains(t, err, "cannot run tasks as root")
		return
	}
	if _, err := user.Lookup("nobody"); err == nil {
		n, err := resolveAccount("nobody")
		require.NoError(t, err)
		require.True(t, n.switchUser)
		env := strings.Join(n.environ(map[string]string{"X": "1"}), "\n")
		require.Contains(t, env, "USER=nobody")
		require.Contains(t, env, "X=1")
	}
}

// TestEnvironIsBuiltFromNothing: a script sees PATH, the locale, its
// account and the task's variables, never the agent's other variables.
func TestEnvironIsBuiltFromNothing(t *testing.T) {
	t.Setenv("BKJOB_AGENT_TOKEN", "secret-token")
	t.Setenv("BKJOB_API_APP_SECRET", "secret-app")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret-aws")
	t.Setenv("LANG", "C.UTF-8")
	t.Setenv("PATH", "/opt/x/bin:/usr/bin")
	a, err := resolveAccount("")
	require.NoError(t, err)
	env := a.environ(map[string]string{"TASK_VAR": "v"})
	names := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		names[k] = v
	}
	require.NotContains(t, strings.Join(env, "\n"), "secret")
	require.Equal(t, "/opt/x/bin:/usr/bin", names["PATH"])
	require.Equal(t, "C.UTF-8", names["LANG"])
	require.Equal(t, "v", names["TASK_VAR"])
	require.Equal(t, a.name, names["USER"])
	for k := range names {
		if !strings.HasPrefix(k, "LC_") {
			require.Contains(t, []string{"PATH", "LANG", "LANGUAGE", "TZ", "HOME", "USER", "LOGNAME", "TASK_VAR"}, k, "unexpected variable")
		}
	}
}

func TestReadableBy(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to own files as another user")
	}
	if _, err := user.Lookup("nobody"); err != nil {
		t.Skip("no user nobody")
	}
	nobody, err := resolveAccount("nobody")
	require.NoError(t, err)
	f := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(f, []byte("x"), 0o600))
	tests := []struct {
		mode os.FileMode
		uid  int
		want bool
	}{
		{0o600, 0, false},
		{0o604, 0, true},
		{0o400, int(nobody.uid), true},
		{0o044, int(nobody.uid), false},
	}
	for _, tt := range tests {
		require.NoError(t, os.Chmod(f, tt.mode))
		require.NoError(t, os.Chown(f, tt.uid, 0))
		fi, err := os.Stat(f)
		require.NoError(t, err)
		require.Equal(t, tt.want, readableBy(fi, nobody), "mode %o uid %d", tt.mode, tt.uid)
	}
}

// TestRestoreKillsCutOffScript: a task spooled without a result was cut
// off by the agent's death; the next start kills its process group and
// reports an agent error with the output spooled so far.
func TestRestoreKillsCutOffScript(t *testing.T) {
	dataDir := t.TempDir()
	cmd := exec.Command("sleep", "300")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	meta := taskMeta{TaskID: "cut", Kind: kindScript, BootID: bootID(), PGID: cmd.Process.Pid, PGStart: processStart(cmd.Process.Pid), Created: time.Now()}
	_, out, err := createSpool(dataDir, meta)
	require.NoError(t, err)
	_, err = out.WriteString("partial output\n")
	require.NoError(t, err)
	require.NoError(t, out.Close())

	a, err := newAgent(context.Background(), Options{Server: "http://x", Token: "t", DataDir: dataDir, MaxTasks: 1}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.NoError(t, a.restore())
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the cut-off script's process group was not killed")
	}
	tk := a.tasks["cut"]
	require.NotNil(t, tk)
	require.NotNil(t, tk.result)
	require.Equal(t, gse.HostStatusAgentError, tk.result.Status)
	require.Equal(t, int64(len("partial output\n")), tk.result.Offset)
	require.Equal(t, int64(len("partial output\n")), tk.size)

	// A second restart delivers the same stored result.
	b, err := newAgent(context.Background(), Options{Server: "http://x", Token: "t", DataDir: dataDir, MaxTasks: 1}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.NoError(t, b.restore())
	require.Equal(t, tk.result.ErrorMsg, b.tasks["cut"].result.ErrorMsg)
	require.Len(t, b.tasks, 1)
}
