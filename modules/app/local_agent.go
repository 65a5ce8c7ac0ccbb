package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Restart backoff of the built-in agent process.
const (
	agentRestartMin = 500 * time.Millisecond
	agentRestartMax = 30 * time.Second
)

// localAgent supervises the built-in agent: a child process running
// `bkjob agent` against this server over loopback. The child starts with a
// clean environment (no BKJOB_* variable, none of the server's secrets) and
// reads its token from stdin, so neither its environ nor its argv holds a
// secret, and the scripts it runs are not children of the server.
type localAgent struct {
	exe   string   // this binary
	args  []string // agent command line, without the token
	token string   // written to the child's stdin
	env   []string
	out   io.Writer // the server's log stream
	log   *slog.Logger
	grace time.Duration // SIGTERM to SIGKILL at stop
	// certFile is the server's TLS certificate: the agent verifies it
	// under the name it carries (--server-name), read at every start.
	certFile string
}

// localAgentOptions are what serve knows about the agent it starts.
type localAgentOptions struct {
	Exe       string
	HTTPAddr  string // the server's bound HTTP address
	Scheme    string // http or https
	CAFile    string // the server's certificate file when Scheme is https: pinned, and its name verified
	IP        string
	DataDir   string
	MaxTasks  int
	LogLevel  string
	LogFormat string
}

func newLocalAgent(o localAgentOptions, token string, out io.Writer, log *slog.Logger, grace time.Duration) *localAgent {
	args := []string{"agent",
		"--server", o.Scheme + "://" + loopback(o.HTTPAddr),
		"--token-file", "-",
		"--data-dir", o.DataDir,
		"--max-tasks", strconv.Itoa(o.MaxTasks),
		"--log-level", o.LogLevel,
		"--log-format", o.LogFormat,
	}
	if o.IP != "" {
		args = append(args, "--ip", o.IP)
	}
	if o.CAFile != "" {
		args = append(args, "--ca-file", o.CAFile)
	}
	return &localAgent{exe: o.Exe, args: args, certFile: o.CAFile, token: token, env: agentEnv(os.Environ()),
		out: out, log: log, grace: grace}
}

// loopback turns a listen address into one to dial on this host: an
// unspecified host (0.0.0.0, ::, empty) becomes the loopback address.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	ip := net.ParseIP(host)
	switch {
	case host == "" || (ip != nil && ip.IsUnspecified() && ip.To4() != nil):
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}

// keepAgentEnv says which variables the agent process inherits: enough
// for a sane PATH, home, locale and temp dir, nothing that configures bkjob.
func keepAgentEnv(k string) bool {
	switch k {
	case "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR":
		return true
	}
	return strings.HasPrefix(k, "LC_")
}

// agentEnv is the built-in agent's environment, picked from parent.
func agentEnv(parent []string) []string {
	var env []string
	hasPath := false
	for _, kv := range parent {
		k, _, _ := strings.Cut(kv, "=")
		if !keepAgentEnv(k) {
			continue
		}
		hasPath = hasPath || k == "PATH"
		env = append(env, kv)
	}
	if !hasPath {
		env = append(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	}
	return env
}

// run keeps the agent process running until ctx ends, restarting it with
// backoff when it exits, then stops it.
func (l *localAgent) run(ctx context.Context) {
	backoff := agentRestartMin
	for {
		began := time.Now()
		err := l.once(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > agentRestartMax {
			backoff = agentRestartMin
		}
		l.log.Error("local agent exited; restarting", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, agentRestartMax)
	}
}

// once runs the agent process until it exits or ctx ends; then its whole
// process group gets SIGTERM and, after grace, SIGKILL.
func (l *localAgent) once(ctx context.Context) error {
	// The parent-death signal fires when the thread that started the child
	// exits: keep this goroutine on its thread while the child lives.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	args := l.args
	if l.certFile != "" {
		name, err := certServerName(l.certFile)
		if err != nil {
			return fmt.Errorf("start local agent: %w", err)
		}
		args = append(args[:len(args):len(args)], "--server-name", name)
	}
	lw := &lineWriter{w: l.out}
	defer lw.flush()
	cmd := exec.Command(l.exe, args...) //nolint:gosec // G204: this very binary (os.Executable), with arguments built here
	cmd.Env = l.env
	cmd.Dir = "/"
	cmd.Stdin = strings.NewReader(l.token + "\n")
	cmd.Stdout, cmd.Stderr = lw, lw
	cmd.SysProcAttr = agentProcAttr()
	cmd.WaitDelay = l.grace
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start local agent %s: %w", l.exe, err)
	}
	pid := cmd.Process.Pid
	l.log.Info("local agent started", "pid", pid)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err == nil {
			err = errors.New("exited with status 0")
		}
		return err
	case <-ctx.Done():
	}
	signalGroup(pid, false)
	var exitErr error
	select {
	case exitErr = <-exited:
	case <-time.After(l.grace):
		l.log.Warn("local agent did not stop in time; killing it", "pid", pid, "grace", l.grace)
		signalGroup(pid, true)
		exitErr = <-exited
	}
	// Stopped on purpose: how it exited (a signal) is no failure.
	l.log.Debug("local agent exit", "pid", pid, "err", exitErr)
	l.log.Info("local agent stopped", "pid", pid)
	return nil
}
