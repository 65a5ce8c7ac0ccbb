package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// leakScript prints what a root job can see of the process that runs it:
// its own environment, its parent's (the agent's) environment and command
// line. (Reading <data_dir>/secret.key would work: the job runs as root on
// the server's host, which docs/security.md says plainly.)
const leakScript = `echo "== env"; env
echo "== parent environ"; tr '\0' '\n' < /proc/$PPID/environ
echo; echo "== parent cmdline"; tr '\0' ' ' < /proc/$PPID/cmdline
echo; echo "== parent comm"; cat /proc/$PPID/comm
echo "== end"
`

// TestServerSecretsStayWithTheServer reproduces issue 7's hole: a root job
// on the built-in agent printed BKJOB_API_APP_SECRET and the agent tokens
// from its own environment and from /proc/$PPID/environ, because the agent
// ran inside the server process. Now the agent is a child process with a
// clean environment and its token on stdin; scripts get an environment
// built from nothing, on the agent and over SSH. The data dir is 0700 and
// every file in it 0600.
func TestServerSecretsStayWithTheServer(t *testing.T) {
	adminPW, tokens := "admin-pw-"+randHex(t, 8), []string{"tok-a-" + randHex(t, 8), "tok-b-" + randHex(t, 8)}
	env := []string{"BKJOB_GSE__LOCAL_AGENT__ENABLED=true", "BKJOB_GSE__LOCAL_AGENT__IP=127.0.0.66",
		"BKJOB_ADMIN_PASSWORD=" + adminPW, "BKJOB_GSE__AGENT_TOKENS=" + strings.Join(tokens, ",")}
	var sshd *sshTestServer
	var known string
	if os.Geteuid() == 0 && (os.Getenv("BKJOB_TEST_SSH_ADDR") != "" || fileExists("/usr/sbin/sshd")) {
		s := startTestSSHD(t)
		sshd = &s
		known = writeKnownHosts(t, s, "127.0.0.2")
		env = append(env, "BKJOB_GSE__SSH__KNOWN_HOSTS_FILE="+known)
	}
	// StartCluster adds the API app secret and the bootstrap agent token.
	c := StartCluster(t, env...)
	forbidden := append([]string{adminPW, c.Token, appSecretOf(t, c)}, tokens...)
	require.Eventually(t, func() bool { return strings.Contains(c.Output.String(), "agent connected") },
		60*time.Second, 50*time.Millisecond, "the built-in agent never connected")

	t.Run("BuiltInAgent", func(t *testing.T) {
		host := fixedIP("127.0.0.66")
		job := c.runScript(t, leakScript, []target{host}, nil)
		st := c.waitJob(t, job.JobInstanceID, time.Minute)
		require.Equal(t, runSuccess, st.JobInstance.Status, "%+v", st)
		out := c.hostLog(t, job, "127.0.0.66")
		require.Contains(t, out, "== end")
		for _, s := range forbidden {
			require.NotContains(t, out, s, "a server secret reached the job")
		}
		envPart, rest, _ := strings.Cut(out, "== parent environ")
		require.NotContains(t, envPart, "BKJOB_", "the script's environment has no bkjob setting")
		parentEnv, rest, _ := strings.Cut(rest, "== parent cmdline")
		require.NotContains(t, parentEnv, "BKJOB_", "the agent's environment has no bkjob setting")
		cmdline, comm, _ := strings.Cut(rest, "== parent comm")
		require.Contains(t, cmdline, " agent ", "the script's parent is the agent process, not the server")
		require.Contains(t, cmdline, "--token-file -", "the token is not on the command line")
		require.Contains(t, comm, "bkjob")
	})

	t.Run("SSHHost", func(t *testing.T) {
		if sshd == nil {
			t.Skip("needs root and an sshd (see startTestSSHD)")
		}
		rec := &sshAnswers{}
		h := sshAddHost(t, c, rec, *sshd, "127.0.0.2", sshAddKeyCredential(t, c, rec, *sshd))
		job := c.runScript(t, "env; echo '== end'\n", []target{h}, nil)
		st := c.waitJob(t, job.JobInstanceID, time.Minute)
		require.Equal(t, runSuccess, st.JobInstance.Status, "%+v", st)
		out := c.hostLog(t, job, "127.0.0.2")
		require.Contains(t, out, "== end")
		require.NotContains(t, out, "BKJOB_")
		for _, s := range forbidden {
			require.NotContains(t, out, s, "a server secret reached the job")
		}
	})

	t.Run("DataFilesArePrivate", func(t *testing.T) {
		// Stop first: the modes of what a whole run left behind (WAL, log
		// segments, the agent's spool) are what counts.
		require.NoError(t, c.Stop(t))
		assertPrivateTree(t, c.DataDir)
		for _, name := range []string{"bkjob.db", "secret.key", "initial-admin-password", "agent"} {
			_, err := os.Lstat(filepath.Join(c.DataDir, name))
			if name == "initial-admin-password" {
				require.ErrorIs(t, err, fs.ErrNotExist, "a given admin password is not written to disk")
				continue
			}
			require.NoError(t, err, name)
		}
	})
}

// TestDataDirModesFixedAtStart: a data dir an older version left readable
// (bkjob.db was 0644) is made private when serve starts.
func TestDataDirModesFixedAtStart(t *testing.T) {
	dir := t.TempDir()
	s := StartServer(t, ServerOptions{DataDir: dir, Env: []string{"BKJOB_GSE__LOCAL_AGENT__ENABLED=false"}})
	require.NoError(t, s.Stop(t))
	require.NoError(t, os.Chmod(dir, 0o755))
	require.NoError(t, os.Chmod(filepath.Join(dir, "bkjob.db"), 0o644))
	require.NoError(t, os.Chmod(filepath.Join(dir, "initial-admin-password"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "files", "old"), 0o755))
	s = StartServer(t, ServerOptions{DataDir: dir, Env: []string{"BKJOB_GSE__LOCAL_AGENT__ENABLED=false"}})
	require.NoError(t, s.Stop(t))
	assertPrivateTree(t, dir)
}

// assertPrivateTree checks that dir and every directory in it are 0700 and
// every file 0600.
func assertPrivateTree(t *testing.T, dir string) {
	t.Helper()
	files := 0
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		info, err := os.Lstat(path)
		require.NoError(t, err)
		switch {
		case d.IsDir():
			require.Equal(t, fs.FileMode(0o700), info.Mode().Perm(), "directory %s", path)
		case d.Type().IsRegular():
			files++
			require.Equal(t, fs.FileMode(0o600), info.Mode().Perm(), "file %s", path)
		}
		return nil
	}))
	require.Positive(t, files)
}

// appSecretOf is the API app secret StartCluster configured.
func appSecretOf(t *testing.T, c *Cluster) string {
	t.Helper()
	for _, kv := range c.env {
		if v, ok := strings.CutPrefix(kv, "BKJOB_API_APP_SECRET="); ok {
			return v
		}
	}
	t.Fatal("the cluster has no app secret")
	return ""
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
