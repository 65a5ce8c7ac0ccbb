package app

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/httpx/httpxtest"
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

func TestCertServerName(t *testing.T) {
	ca := httpxtest.NewCA(t, "ca")
	tests := map[string]struct {
		hosts []string
		want  string
	}{
		"first dns name":        {hosts: []string{"bkjob.example.com", "127.0.0.1", "other.example.com"}, want: "bkjob.example.com"},
		"ip only":               {hosts: []string{"10.0.0.5"}, want: "10.0.0.5"},
		"wildcard gets a label": {hosts: []string{"*.example.com"}, want: "bkjob-local-agent.example.com"},
		"a plain name first":    {hosts: []string{"*.example.com", "bkjob.example.com"}, want: "bkjob.example.com"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			certFile, _ := ca.Issue(t, tt.hosts...).Write(t, t.TempDir())
			got, err := certServerName(certFile)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	_, err := certServerName(filepath.Join(t.TempDir(), "missing.pem"))
	require.ErrorContains(t, err, "missing.pem")
	bad := filepath.Join(t.TempDir(), "bad.pem")
	require.NoError(t, os.WriteFile(bad, []byte("junk"), 0o600))
	_, err = certServerName(bad)
	require.ErrorContains(t, err, "no PEM certificate")
}

func TestLocalAgentGetsServerNameAtStart(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake agent is a shell script")
	}
	certFile, _ := httpxtest.NewCA(t, "ca").Issue(t, "bkjob.test").Write(t, t.TempDir())
	out := filepath.Join(t.TempDir(), "args")
	script := filepath.Join(t.TempDir(), "fake-agent")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" > "+out+"\n"), 0o700))
	la := newLocalAgent(localAgentOptions{Exe: script, HTTPAddr: "127.0.0.1:8443", Scheme: "https", CAFile: certFile,
		DataDir: "/d/agent", MaxTasks: 4, LogLevel: "info", LogFormat: "text"}, "tok", io.Discard, slog.New(slog.DiscardHandler), 0)
	require.Error(t, la.once(t.Context()), "the fake agent exits")
	args, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(args), "--server https://127.0.0.1:8443")
	require.Contains(t, string(args), "--ca-file "+certFile+" --server-name bkjob.test")
}
