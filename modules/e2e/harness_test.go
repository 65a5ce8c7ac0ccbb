package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bkjob/bkjob/platform/testenv"
	"github.com/stretchr/testify/require"
)

// binary is the bkjob binary built once for the whole package;
// builtWithUI says whether frontend/dist was embedded.
var (
	binary      string
	builtWithUI bool
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "bkjob-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }() // a leftover in the temp dir fails nothing
	binary = filepath.Join(dir, "bkjob")
	args := []string{"build", "-o", binary}
	if _, err := os.Stat("../../frontend/dist/index.html"); err == nil {
		args = append(args, "-tags", "ui")
		builtWithUI = true
	}
	cmd := exec.Command("go", append(args, "../..")...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build bkjob:", err)
		return 1
	}
	return m.Run()
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// syncBuffer collects a process's output safely while it runs.
type syncBuffer = testenv.Buffer

// Server is a running `bkjob serve` process.
type Server struct {
	URL     string
	DataDir string
	Output  *syncBuffer
	// Client talks to the server (http.DefaultClient unless ServerOptions
	// gave one, e.g. trusting a test CA for HTTPS).
	Client *http.Client
	cmd    *exec.Cmd
	done   chan error
}

// ServerOptions configure StartServer.
type ServerOptions struct {
	Args    []string // extra args after `serve`
	Env     []string // extra environment
	DataDir string   // default: a new temp dir
	NoWait  bool     // do not wait for /readyz
	Addr    string   // default: a free loopback port (give the old one to restart in place)
	// Client, when set, is an HTTPS client for a server configured with
	// http.tls_cert_file: the server's URL is then https://.
	Client *http.Client
}

// StartServer starts `bkjob serve` and waits until /readyz answers 200.
// The process is stopped with SIGTERM when the test ends.
func StartServer(t *testing.T, opt ServerOptions) *Server {
	t.Helper()
	if opt.DataDir == "" {
		opt.DataDir = t.TempDir()
	}
	addr := opt.Addr
	if addr == "" {
		addr = freeAddr(t)
	}
	args := append([]string{"serve", "--http-addr", addr, "--data-dir", opt.DataDir}, opt.Args...)
	s := &Server{URL: "http://" + addr, DataDir: opt.DataDir, Output: &syncBuffer{}, Client: http.DefaultClient, done: make(chan error, 1)}
	if opt.Client != nil {
		s.URL, s.Client = "https://"+addr, opt.Client
	}
	s.cmd = exec.Command(binary, args...)
	s.cmd.Env = append(cleanEnv(), opt.Env...)
	s.cmd.Stdout, s.cmd.Stderr = s.Output, s.Output
	require.NoError(t, s.cmd.Start())
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		_ = s.Stop(t) // tests that care how it exits call Stop themselves
		if t.Failed() {
			t.Logf("server output:\n%s", tail(s.Output.String(), 4000))
		}
	})
	if !opt.NoWait {
		s.WaitReady(t)
	}
	return s
}

// WaitReady waits for /readyz to answer 200.
func (s *Server) WaitReady(t *testing.T) {
	t.Helper()
	var exitErr error
	exited := false
	require.Eventually(t, func() bool {
		select {
		case err := <-s.done:
			s.done <- err
			exitErr, exited = err, true
			return true // stop waiting; reported below
		default:
		}
		resp, err := s.Client.Get(s.URL + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 60*time.Second, 50*time.Millisecond, "server never became ready")
	if exited {
		t.Fatalf("server exited before ready: %v", exitErr)
	}
}

// Stop sends SIGTERM and waits for exit; it returns the exit error.
func (s *Server) Stop(t *testing.T) error {
	if s.cmd.ProcessState != nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		t.Errorf("server did not stop within 30s of SIGTERM")
		return <-s.done
	}
}

// Kill stops the server at once, as a crash would.
func (s *Server) Kill(t *testing.T) {
	_ = s.cmd.Process.Kill()
	<-s.done
	s.done <- nil
}

// run runs the binary to completion and returns output and exit code.
func run(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(cleanEnv(), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return string(out), code
}

// cleanEnv is the test's environment without BKJOB_ configuration, so a
// developer's shell does not leak into the processes under test.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "BKJOB_") && !strings.HasPrefix(kv, "BKJOB_TEST_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// API is a small JSON client.
type API struct {
	Base   string
	Header http.Header
	Client *http.Client
}

func (a *API) do(t *testing.T, method, path string, body any) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.Base+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range a.Header {
		req.Header[k] = v
	}
	c := a.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, data
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
