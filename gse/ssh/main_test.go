package ssh

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestMain starts a throwaway OpenSSH server (testdata/sshd/sshd.sh) when
// BKJOB_TEST_SSH_ADDR is unset and sshd is installed. Tests that need it
// call requireSSH, which skips by hand and fails under CI=true when no
// server is available.
func TestMain(m *testing.M) {
	flag.Parse()
	stop, err := startSSHD()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start test sshd:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

func startSSHD() (func(), error) {
	bench := false
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		bench = true
	}
	// Benchmarks want 101 addresses, more than a shared server offers.
	if os.Getenv("BKJOB_TEST_SSH_ADDR") != "" && (!bench || len(strings.Split(os.Getenv("BKJOB_TEST_SSH_ADDRS"), ",")) >= 101) {
		return func() {}, nil
	}
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		return func() {}, nil
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "sshd", "sshd.sh")
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	hosts := "11"
	if bench {
		hosts = "101"
	}
	cmd := exec.Command("bash", script, "start")
	cmd.Env = append(os.Environ(), "BKJOB_SSHD_PORT="+port, "BKJOB_SSHD_HOSTS="+hosts, "BKJOB_SSHD_DIR=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s start: %w: %s", script, err, stderr.String())
	}
	var dir string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if !ok {
			continue
		}
		_ = os.Setenv(k, v)
		if k == "BKJOB_SSHD_DIR" {
			dir = v
		}
	}
	return func() {
		_ = exec.Command("bash", script, "stop", dir).Run()
	}, nil
}

// freePort finds a free TCP port on 127.0.0.1 for the test sshd.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port, nil
}
