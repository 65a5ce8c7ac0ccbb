package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/testenv"
)

// TestGSERestartFindsLostTasks runs the gse role as a process of its own
// (MySQL and RabbitMQ between the two) and kills it with SIGKILL while an
// agent host and an agentless host are running scripts, then starts it
// again. Within gse.lost_check_interval — not after the step timeout plus
// its grace — the engine finds what the new gse process does not hold: the
// agent host's task is sent again under the same id and the agent, which
// kept running it, finishes it with its whole log; the agentless host is
// failed with the reason, and the script the dead SSH session left behind
// is killed on the host.
func TestGSERestartFindsLostTasks(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("jobs run as account root (the only account the API offers): the SSH user must be root")
	}
	dsn := uniqueMySQLDatabase(t, testenv.Require(t, "BKJOB_TEST_MYSQL_DSN"))
	amqpURL := testenv.Require(t, "BKJOB_TEST_AMQP_URL")
	sshd := startTestSSHD(t)
	key := make([]byte, 32)
	_, err := rand.Read(key)
	require.NoError(t, err)
	shared := []string{
		"BKJOB_DB__DRIVER=mysql", "BKJOB_DB__DSN=" + dsn,
		"BKJOB_BUS__BACKEND=rabbitmq", "BKJOB_BUS__AMQP_URL=" + amqpURL, "BKJOB_BUS__EXCHANGE_PREFIX=gserestart" + randHex(t, 6),
		"BKJOB_CRYPTO__KEY=" + base64.StdEncoding.EncodeToString(key),
		"BKJOB_BLOB__DIR=" + t.TempDir(),
		"BKJOB_GSE__LOST_CHECK_INTERVAL=2s",
		"BKJOB_GSE__SSH__KILL_GRACE=500ms",
		"BKJOB_GSE__SSH__KNOWN_HOSTS_FILE=" + writeKnownHosts(t, sshd, "127.0.0.5"),
	}
	front := startCluster(t, ServerOptions{Args: []string{"--roles=gateway,manage,execute,logsvr"}}, shared...)
	gseEnv := append([]string{}, front.env...)
	gse := StartServer(t, ServerOptions{Args: []string{"--roles=gse"}, Env: gseEnv})
	agent := StartAgent(t, front, "127.0.0.66", AgentOptions{Server: gse.URL})
	rec := &sshAnswers{}
	ssh := sshAddHost(t, front, rec, sshd, "127.0.0.5", sshAddKeyCredential(t, front, rec, sshd))

	gate := filepath.Join(t.TempDir(), "gate")
	onAgent := front.runScript(t, "echo before; while [ ! -e "+shellQuote(gate)+" ]; do sleep 0.1; done; echo after",
		[]target{agent}, nil)
	m := marker(t)
	onSSH := front.runScript(t, sleeper(m)+"echo started; wait", []target{ssh}, nil)
	front.waitLog(t, onAgent, agent.IP, "before\n", 60*time.Second)
	front.waitLog(t, onSSH, ssh.IP, "started\n", 60*time.Second)
	require.NotEmpty(t, pids(m), "the SSH script's child runs")

	gse.Kill(t)
	// The new gse process on the same address and data; its cleanup is registered.
	StartServer(t, ServerOptions{Args: []string{"--roles=gse"}, Env: gseEnv, DataDir: gse.DataDir,
		Addr: strings.TrimPrefix(gse.URL, "http://")})

	poll(t, 60*time.Second, "the agentless host fails once the new gse process is asked", func() (bool, string) {
		st := front.jobStatus(t, onSSH.JobInstanceID)
		h, ok := st.find(ssh.IP)
		return ok && h.Status == hostAgentError, front.Output.String()[max(0, len(front.Output.String())-2000):]
	})
	poll(t, 30*time.Second, "the script the dead session left is killed", func() (bool, string) {
		return len(pids(m)) == 0, ""
	})

	require.NoError(t, os.WriteFile(gate, nil, 0o644))
	st := front.waitJob(t, onAgent.JobInstanceID, 90*time.Second)
	require.Equal(t, runSuccess, st.JobInstance.Status, "the agent host's job finishes after the gse restart")
	require.Equal(t, "before\nafter\n", front.hostLog(t, onAgent, agent.IP), "its log is whole, nothing twice")
	require.Equal(t, runFail, front.jobStatus(t, onSSH.JobInstanceID).JobInstance.Status)
}
