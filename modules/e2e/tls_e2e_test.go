package e2e

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/httpx/httpxtest"
)

// TestTLSEndToEnd runs `bkjob serve` terminating TLS itself, a real
// `bkjob agent` over wss:// pinned to the test CA, and a script through the
// v3 API over https; the certificate is then replaced and SIGHUP makes the
// server serve the new one without dropping the agent. An agent pinned to
// another CA is refused. Server timeouts are short, so the agent connection
// and the job outlive them.
func TestTLSEndToEnd(t *testing.T) {
	certDir, caDir := t.TempDir(), t.TempDir()
	ca := httpxtest.NewCA(t, "bkjob e2e ca")
	first := ca.Issue(t, "127.0.0.1", "localhost")
	certFile, keyFile := first.Write(t, certDir)
	caFile := ca.WriteCert(t, caDir)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}}}

	c := startCluster(t, ServerOptions{Client: client},
		"BKJOB_HTTP__TLS_CERT_FILE="+certFile, "BKJOB_HTTP__TLS_KEY_FILE="+keyFile,
		"BKJOB_HTTP__READ_TIMEOUT=1s", "BKJOB_HTTP__WRITE_TIMEOUT=1s", "BKJOB_HTTP__IDLE_TIMEOUT=1s")
	addr := strings.TrimPrefix(c.URL, "https://")
	require.True(t, strings.HasPrefix(c.URL, "https://"))

	agent := StartAgent(t, c, "127.0.0.61", AgentOptions{Server: "wss://" + addr, Args: []string{"--ca-file", caFile}})

	// The script runs longer than every server timeout.
	job := c.runScript(t, "sleep 2; echo tls-ok", []target{agent}, nil)
	st := c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status)
	c.waitLog(t, job, agent.IP, "tls-ok", 30*time.Second)
	require.Equal(t, 1, strings.Count(agent.Output.String(), `msg="agent connected"`), "the agent connection outlived the server timeouts")

	t.Run("OtherCARefused", func(t *testing.T) {
		other := httpxtest.NewCA(t, "some other ca")
		stranger := StartAgent(t, c, "127.0.0.62", AgentOptions{NoWait: true, Server: "wss://" + addr,
			Args: []string{"--ca-file", other.WriteCert(t, t.TempDir())}})
		poll(t, time.Minute, "the agent pinned to another CA reports the certificate", func() (bool, string) {
			out := stranger.Output.String()
			return strings.Contains(out, "certificate signed by unknown authority"), tail(out, 2000)
		})
		require.NotContains(t, stranger.Output.String(), `msg="agent connected"`)
		require.NotContains(t, c.Output.String(), "ip=127.0.0.62", "the server never registered it")
	})

	t.Run("SIGHUPReloadsTheCertificate", func(t *testing.T) {
		second := ca.Issue(t, "127.0.0.1", "localhost")
		second.Write(t, certDir)
		require.NoError(t, c.cmd.Process.Signal(syscall.SIGHUP))
		poll(t, 30*time.Second, "the server serves the new certificate", func() (bool, string) {
			got := servedSerial(addr, ca)
			return got == second.Serial.String(), "serving serial " + got
		})
		require.Eventually(t, func() bool { return strings.Contains(c.Output.String(), `msg="tls certificate reloaded"`) },
			10*time.Second, 50*time.Millisecond, "the reload is logged")
		// The agent's connection was not dropped, and it still runs jobs.
		job := c.runScript(t, "echo after-reload", []target{agent}, nil)
		st := c.waitJob(t, job.JobInstanceID, time.Minute)
		require.Equal(t, runSuccess, st.JobInstance.Status)
		require.Equal(t, 1, strings.Count(agent.Output.String(), `msg="agent connected"`))
	})
}

// servedSerial dials addr and returns the serial number of the certificate
// it presents (or the error, for poll to show).
func servedSerial(addr string, ca *httpxtest.CA) string {
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12})
	if err != nil {
		return fmt.Sprintf("dial: %v", err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
}
