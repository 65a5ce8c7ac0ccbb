package e2e

import (
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Agent is a running `bkjob agent` process standing for one host.
type Agent struct {
	IP      string
	DataDir string
	Output  *syncBuffer
	cluster *Cluster
	private []string
	server  string
	extra   []string
	cmd     *exec.Cmd
	done    chan error
}

func (a *Agent) ip() string { return a.IP }

// AgentOptions configure StartAgent.
type AgentOptions struct {
	// PrivateDirs are existing directories the agent sees as its own empty
	// tmpfs (a private mount namespace), so several agents on this machine
	// behave like hosts with their own disks there. Needs unshare(1) and
	// the right to mount; tests skip when that is missing.
	PrivateDirs []string
	NoWait      bool // do not wait for the host to register
	// Server is the URL the agent dials (default: the cluster's URL).
	Server string
	// Args are extra `bkjob agent` flags, e.g. --ca-file.
	Args []string
}

// connectedRE matches the agent's log line once it is registered.
func connectedRE() *regexp.Regexp {
	return regexp.MustCompile(`msg="agent connected".* host_id=(\d+)`)
}

// StartAgent starts an agent for ip and waits until it is connected.
// It is killed when the test ends.
func StartAgent(t *testing.T, c *Cluster, ip string, opt AgentOptions) *Agent {
	t.Helper()
	a := &Agent{IP: ip, DataDir: t.TempDir(), cluster: c, private: opt.PrivateDirs, server: opt.Server, extra: opt.Args}
	if a.server == "" {
		a.server = c.URL
	}
	a.start(t)
	t.Cleanup(func() {
		a.Kill(t)
		if t.Failed() {
			t.Logf("agent %s output:\n%s", a.IP, tail(a.Output.String(), 2000))
		}
	})
	if !opt.NoWait {
		a.WaitConnected(t)
	}
	return a
}

func (a *Agent) start(t *testing.T) {
	t.Helper()
	args := append([]string{"agent", "--server", a.server, "--token", a.cluster.Token, "--ip", a.IP, "--data-dir", a.DataDir}, a.extra...)
	name := binary
	if len(a.private) > 0 {
		var mounts []string
		for _, d := range a.private {
			mounts = append(mounts, "mount -t tmpfs bkjob-e2e "+shellQuote(d))
		}
		inner := strings.Join(mounts, " && ") + ` && exec "$0" "$@"`
		args = append([]string{"--mount", "--propagation", "private", "sh", "-c", inner, binary}, args...)
		name = "unshare"
	}
	a.Output = &syncBuffer{}
	a.done = make(chan error, 1)
	a.cmd = exec.Command(name, args...)
	a.cmd.Env = cleanEnv()
	a.cmd.Stdout, a.cmd.Stderr = a.Output, a.Output
	require.NoError(t, a.cmd.Start())
	go func() { a.done <- a.cmd.Wait() }()
}

// WaitConnected waits until the agent says it is connected.
func (a *Agent) WaitConnected(t *testing.T) {
	t.Helper()
	poll(t, 60*time.Second, "agent "+a.IP+" never connected", func() (bool, string) {
		out := a.Output.String()
		select {
		case err := <-a.done:
			a.done <- err
			return false, fmt.Sprintf("exited: %v: %s", err, tail(out, 2000))
		default:
		}
		return connectedRE().MatchString(out), tail(out, 2000)
	})
}

// HostID is the bkjob host id the server gave this agent.
func (a *Agent) HostID(t *testing.T) int64 {
	t.Helper()
	m := connectedRE().FindAllStringSubmatch(a.Output.String(), -1)
	require.NotEmpty(t, m, "agent %s not connected", a.IP)
	id, err := strconv.ParseInt(m[len(m)-1][1], 10, 64)
	require.NoError(t, err)
	return id
}

// Kill stops the agent at once with SIGKILL, as a crash would.
func (a *Agent) Kill(t *testing.T) {
	if a.cmd.ProcessState != nil {
		return
	}
	_ = a.cmd.Process.Signal(syscall.SIGKILL)
	err := <-a.done
	a.done <- err
}

// Restart starts the agent again with the same id, address and data dir.
func (a *Agent) Restart(t *testing.T) {
	t.Helper()
	a.Kill(t)
	a.start(t)
	a.WaitConnected(t)
}

// pids lists the processes whose command line contains marker. It does not
// fail the test, so polling conditions may call it; a pgrep failure counts
// as a process found.
func pids(marker string) []int {
	out, err := exec.Command("pgrep", "-f", marker).Output()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == 1 {
		return nil // none
	}
	if err != nil {
		return []int{-1}
	}
	var ids []int
	for _, f := range strings.Fields(string(out)) {
		if id, err := strconv.Atoi(f); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// marker returns a unique process marker and kills, by pid, whatever still
// carries it when the test ends (only processes this test started).
func marker(t *testing.T) string {
	m := "bkjob-e2e-" + randHex(t, 8)
	t.Cleanup(func() {
		for _, id := range pids(m) {
			if id > 0 {
				_ = syscall.Kill(id, syscall.SIGKILL)
			}
		}
	})
	return m
}

// sleeper is a shell line that starts a background `sleep 300` named
// marker (its argv[0]) in the script's process group.
func sleeper(marker string) string {
	return fmt.Sprintf("(exec -a %s sleep 300) &\n", marker)
}

// canUnshare reports whether agents can get private mounts here.
func canUnshare(t *testing.T) bool {
	t.Helper()
	dir := t.TempDir()
	err := exec.Command("unshare", "--mount", "--propagation", "private", "mount", "-t", "tmpfs", "bkjob-e2e", dir).Run()
	return err == nil
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
