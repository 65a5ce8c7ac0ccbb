package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/httpx/httpxtest"
)

// TestTLSBuiltInAgent: serve terminates TLS with a certificate for a DNS
// name only (no 127.0.0.1), as an operator's certificate is, and its
// built-in agent, dialling loopback, connects and runs a script. The
// certificate is then replaced by one from another CA and SIGHUP sent; the
// agent process is killed, and the one serve starts in its place connects
// and runs a script too.
func TestTLSBuiltInAgent(t *testing.T) {
	const name, ip = "bkjob.test", "127.0.0.68"
	certDir := t.TempDir()
	first, second := httpxtest.NewCA(t, "first ca"), httpxtest.NewCA(t, "second ca")
	certFile, keyFile := first.Issue(t, name).Write(t, certDir)
	roots := x509.NewCertPool()
	roots.AddCert(first.Cert)
	roots.AddCert(second.Cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: roots, ServerName: name, MinVersion: tls.VersionTLS12}}}

	c := startCluster(t, ServerOptions{Client: client},
		"BKJOB_HTTP__TLS_CERT_FILE="+certFile, "BKJOB_HTTP__TLS_KEY_FILE="+keyFile,
		"BKJOB_GSE__LOCAL_AGENT__ENABLED=true", "BKJOB_GSE__LOCAL_AGENT__IP="+ip)
	require.True(t, strings.HasPrefix(c.URL, "https://"))
	connected := func(n int) func() bool {
		return func() bool { return strings.Count(c.Output.String(), `msg="agent connected" role=gse`) >= n }
	}
	require.Eventually(t, connected(1), time.Minute, 50*time.Millisecond,
		"the built-in agent never connected: %s", tail(c.Output.String(), 3000))
	run := func(text string) {
		t.Helper()
		job := c.runScript(t, "echo "+text, []target{fixedIP(ip)}, nil)
		st := c.waitJob(t, job.JobInstanceID, time.Minute)
		require.Equal(t, runSuccess, st.JobInstance.Status, "%+v", st)
		c.waitLog(t, job, ip, text, 30*time.Second)
	}
	run("before-rotation")

	second.Issue(t, name).Write(t, certDir)
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool { return strings.Contains(c.Output.String(), `msg="tls certificate reloaded"`) },
		30*time.Second, 50*time.Millisecond, "the certificate was not reloaded")
	pids := agentPIDs(c.Output.String())
	require.Len(t, pids, 1)
	require.NoError(t, syscall.Kill(pids[0], syscall.SIGKILL))
	require.Eventually(t, func() bool { return len(agentPIDs(c.Output.String())) == 2 },
		30*time.Second, 50*time.Millisecond, "the built-in agent was not restarted")
	require.Eventually(t, connected(2), time.Minute, 50*time.Millisecond,
		"the restarted agent never connected to the rotated certificate: %s", tail(c.Output.String(), 3000))
	run("after-rotation")
	require.NotContains(t, c.Output.String(), "certificate signed by unknown authority")
}
