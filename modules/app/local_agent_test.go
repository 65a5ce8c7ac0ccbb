package app

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAgentEnvIsClean(t *testing.T) {
	env := agentEnv([]string{
		"PATH=/usr/bin", "HOME=/root", "LANG=C.UTF-8", "LC_ALL=C", "TMPDIR=/var/tmp",
		"BKJOB_API_APP_SECRET=s", "BKJOB_GSE__AGENT_TOKENS=t", "BKJOB_ADMIN_PASSWORD=p", "AWS_SECRET_ACCESS_KEY=a", "SSH_AUTH_SOCK=/x",
	})
	require.ElementsMatch(t, []string{"PATH=/usr/bin", "HOME=/root", "LANG=C.UTF-8", "LC_ALL=C", "TMPDIR=/var/tmp"}, env)
	require.Equal(t, []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, agentEnv([]string{"BKJOB_X=1"}),
		"a sane PATH even when the server has none")
}

func TestLocalAgentCommandLineHasNoToken(t *testing.T) {
	la := newLocalAgent(localAgentOptions{Exe: "/bin/bkjob", HTTPAddr: "0.0.0.0:8080", Scheme: "http",
		DataDir: "/d/agent", MaxTasks: 4, LogLevel: "info", LogFormat: "text"}, "tok-secret", io.Discard, slog.New(slog.DiscardHandler), 0)
	require.NotContains(t, strings.Join(la.args, " "), "tok-secret")
	require.Contains(t, la.args, "http://127.0.0.1:8080")
	require.Contains(t, strings.Join(la.args, " "), "--token-file -")
}

func TestLoopback(t *testing.T) {
	tests := map[string]string{
		"0.0.0.0:80":     "127.0.0.1:80",
		":80":            "127.0.0.1:80",
		"[::]:80":        "[::1]:80",
		"10.0.0.5:80":    "10.0.0.5:80",
		"127.0.0.1:8080": "127.0.0.1:8080",
	}
	for in, want := range tests {
		require.Equal(t, want, loopback(in), in)
	}
}

func TestLineWriterPassesWholeLines(t *testing.T) {
	var out bytes.Buffer
	var writes []string
	lw := &lineWriter{w: writerFunc(func(p []byte) (int, error) {
		writes = append(writes, string(p))
		return out.Write(p)
	})}
	_, _ = lw.Write([]byte("one\ntw"))
	_, _ = lw.Write([]byte("o\nthr"))
	lw.flush()
	require.Equal(t, []string{"one\n", "two\n", "thr\n"}, writes)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestSecureDataDirFixesModes(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "logs", "2026_01_01"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bkjob.db"), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "logs", "2026_01_01", "seg"), nil, 0o640))
	outside := filepath.Join(t.TempDir(), "outside")
	require.NoError(t, os.WriteFile(outside, nil, 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link")))
	require.NoError(t, os.Chmod(dir, 0o755))

	secureDataDir(dir, slog.New(slog.DiscardHandler))
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		info, err := os.Lstat(path)
		require.NoError(t, err)
		switch {
		case d.IsDir():
			require.Equal(t, os.FileMode(0o700), info.Mode().Perm(), path)
		case d.Type().IsRegular():
			require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), path)
		}
		return nil
	}))
	st, err := os.Stat(outside)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), st.Mode().Perm(), "a symlink is not followed")
}
