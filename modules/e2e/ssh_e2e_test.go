package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sshSetup is one server with three agentless hosts, 127.0.0.2-4, all
// answered by the test sshd; they were registered, with their credential,
// through the OpenAPI.
type sshSetup struct {
	c      *Cluster
	sshd   sshTestServer
	rec    *sshAnswers
	credID string
	hosts  []sshHost
}

// TestSSHTransport proves issue 3's behaviours for agentless hosts: the
// transport cases every transport passes, plus registration, a file copied
// between SSH hosts, and the credential never shown.
func TestSSHTransport(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("jobs run as account root (the only account the API offers): the SSH user must be root")
	}
	s := &sshSetup{sshd: startTestSSHD(t), rec: &sshAnswers{}}
	ips := []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"}
	known := writeKnownHosts(t, s.sshd, ips...)
	s.c = StartCluster(t, "BKJOB_GSE__SSH__KNOWN_HOSTS_FILE="+known,
		"BKJOB_GSE__MAX_OUTPUT_BYTES="+strconv.Itoa(capBytes), "BKJOB_GSE__SSH__KILL_GRACE=500ms")
	s.credID = sshAddKeyCredential(t, s.c, s.rec, s.sshd)
	for _, ip := range ips {
		s.hosts = append(s.hosts, sshAddHost(t, s.c, s.rec, s.sshd, ip, s.credID))
	}

	t.Run("Registration", s.registration)
	// All three hosts are this machine, so the shared file copy case (which
	// needs a private disk per host) skips; FileCopiedBetweenSSHHosts below
	// copies into one shared directory instead.
	cases := &transportCases{c: s.c, h1: s.hosts[0], h2: s.hosts[1], h3: s.hosts[2]}
	cases.run(t)
	t.Run("FileCopiedBetweenSSHHosts", s.fileCopy)
	t.Run("CredentialNeverShown", s.credentialNeverShown)
}

func (s *sshSetup) registration(t *testing.T) {
	var detail map[string]any
	env := sshCall(t, s.c, s.rec, http.MethodGet, "get_credential_detail?bk_scope_type=biz&bk_scope_id=1&id="+s.credID, nil)
	require.True(t, env.Result, env.Message)
	require.NoError(t, json.Unmarshal(env.Data, &detail))
	require.Equal(t, "SECRET_KEY", detail["type"])
	require.NotContains(t, detail, "credential_secret_key", "no value is answered, as in bk-job")
	require.Equal(t, "admin", detail["creator"])

	var page struct {
		Total int `json:"total"`
		Data  []struct {
			HostID int64  `json:"bk_host_id"`
			IP     string `json:"ip"`
		} `json:"data"`
	}
	sshV3(t, s.c, s.rec, "list_agentless_hosts", map[string]any{}, &page)
	require.Equal(t, 3, page.Total)
	for i, h := range page.Data {
		require.Equal(t, s.hosts[i].ID, h.HostID)
	}

	for _, tc := range []struct {
		name, field string
		body        map[string]any
	}{
		{"bad ip", "ip", map[string]any{"ip": "127.0.0.999", "ssh_user": "root", "credential_id": s.credID}},
		{"bad port", "ssh_port", map[string]any{"ip": "127.0.0.9", "ssh_port": 70000, "ssh_user": "root", "credential_id": s.credID}},
		{"no credential", "credential_id", map[string]any{"ip": "127.0.0.9", "ssh_user": "root"}},
		{"unknown credential", "credential_id", map[string]any{"ip": "127.0.0.9", "ssh_user": "root", "credential_id": "0123456789abcdef0123456789abcdef"}},
		{"old integer credential id", "credential_id", map[string]any{"ip": "127.0.0.9", "ssh_user": "root", "credential_id": "987654"}},
		{"host exists", "ip", map[string]any{"ip": s.hosts[0].IP, "ssh_user": "root", "credential_id": s.credID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := sshCall(t, s.c, s.rec, http.MethodPost, "create_agentless_host", scope(tc.body))
			require.False(t, env.Result)
			require.True(t, strings.HasPrefix(env.Message, tc.field+": "), "message %q names %s", env.Message, tc.field)
		})
	}
	sshV3(t, s.c, s.rec, "list_agentless_hosts", map[string]any{}, &page)
	require.Equal(t, 3, page.Total, "refused registrations write nothing")

	env = sshCall(t, s.c, s.rec, http.MethodGet,
		"create_credential?bk_scope_type=biz&bk_scope_id=1&name=x&type=PASSWORD&credential_password=in-a-url", nil)
	require.False(t, env.Result, "secrets are not taken from a URL")

	// The agent status of an agentless host is its SSH reachability.
	var info struct {
		List []struct {
			HostID int64 `json:"bk_host_id"`
			Status int   `json:"status"`
		} `json:"agent_info_list"`
	}
	sshV3(t, s.c, s.rec, "query_agent_info", map[string]any{"host_id_list": []int64{s.hosts[0].ID}}, &info)
	require.Len(t, info.List, 1)
	require.Equal(t, 1, info.List[0].Status, "an agentless host that answers SSH is normal")
}

// fileCopy sends a file from one SSH host to the two others. The hosts
// share this machine's disk, so both targets write the same path; each
// still reports its own result, and each checks the copy's sha256.
func (s *sshSetup) fileCopy(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "dst")
	payload := []byte(randHex(t, 150000))
	require.NoError(t, os.WriteFile(filepath.Join(src, "payload.bin"), payload, 0o644))
	sum := sha256.Sum256(payload)
	want := hex.EncodeToString(sum[:])
	targets := []target{s.hosts[1], s.hosts[2]}

	var job created
	s.c.v3Into(t, "fast_transfer_file", scope(map[string]any{
		"account_alias":    "root",
		"file_target_path": dst + "/",
		"file_source_list": []map[string]any{{
			"file_list": []string{filepath.Join(src, "payload.bin")},
			"account":   map[string]any{"alias": "root"},
			"server":    map[string]any{"ip_list": ipList(s.hosts[0])},
		}},
		"target_server": map[string]any{"ip_list": ipList(targets...)},
	}), &job)
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status, "%+v", st)
	for _, h := range targets {
		require.Equal(t, hostSuccess, st.host(t, h.ip()).Status, h.ip())
	}

	check := s.c.runScript(t, "sha256sum "+dst+"/payload.bin", targets, nil)
	require.Equal(t, runSuccess, s.c.waitJob(t, check.JobInstanceID, time.Minute).JobInstance.Status)
	for _, h := range targets {
		require.Equal(t, want+"  "+dst+"/payload.bin\n", s.c.hostLog(t, check, h.ip()), h.ip())
	}
}

// credentialNeverShown runs last: no API answer and no server log line
// holds any part of the private key. Besides every answer recorded so far
// (credential and host endpoints), it asks the endpoints that describe
// hosts and jobs.
func (s *sshSetup) credentialNeverShown(t *testing.T) {
	ids := []int64{s.hosts[0].ID, s.hosts[1].ID, s.hosts[2].ID}
	sshV3(t, s.c, s.rec, "query_agent_info", map[string]any{"host_id_list": ids}, nil)
	job := s.c.runScript(t, "echo hello", []target{s.hosts[0]}, nil)
	s.c.waitJob(t, job.JobInstanceID, time.Minute)
	sshV3(t, s.c, s.rec, "get_job_instance_status", map[string]any{"job_instance_id": job.JobInstanceID, "return_ip_result": true}, nil)
	sshV3(t, s.c, s.rec, "get_job_instance_ip_log", logBody(job, s.hosts[0].IP), nil)
	sshV3(t, s.c, s.rec, "get_step_instance_detail", map[string]any{"job_instance_id": job.JobInstanceID,
		"step_instance_id": job.StepInstanceID}, nil)
	now := time.Now().UnixMilli()
	sshV3(t, s.c, s.rec, "get_job_instance_list", map[string]any{"create_time_start": now - 3600*1000,
		"create_time_end": now + 3600*1000}, nil)

	var keyLines []string
	for _, l := range strings.Split(s.sshd.Key, "\n") {
		if l = strings.TrimSpace(l); len(l) >= 16 && !strings.HasPrefix(l, "-----") {
			keyLines = append(keyLines, l)
		}
	}
	require.NotEmpty(t, keyLines)
	answers, logs := s.rec.all(), s.c.Output.String()
	require.Contains(t, answers, `"type":"SECRET_KEY"`, "the answers were recorded")
	require.NotContains(t, answers, "credential_secret_key", "no answer names a secret value, masked or not")
	require.Contains(t, answers, `"log_content":"hello\n"`, "the answers were recorded")
	for _, l := range append(keyLines, "PRIVATE KEY") {
		require.NotContains(t, answers, l, "an API answer shows the credential")
		require.NotContains(t, logs, l, "the server log shows the credential")
	}
}

// TestSSHHostKeys: a host whose key is not on file is refused, with a
// message saying why, unless trust_on_first_use is set; then its key is
// recorded and the job runs.
func TestSSHHostKeys(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("jobs run as account root (the only account the API offers): the SSH user must be root")
	}
	sshd := startTestSSHD(t)
	const ip = "127.0.0.2"
	for _, tofu := range []bool{false, true} {
		t.Run(fmt.Sprintf("trust_on_first_use=%t", tofu), func(t *testing.T) {
			// A known_hosts file that lists only another host.
			known := writeKnownHosts(t, sshd, "127.0.0.3")
			c := StartCluster(t, "BKJOB_GSE__SSH__KNOWN_HOSTS_FILE="+known,
				"BKJOB_GSE__SSH__TRUST_ON_FIRST_USE="+strconv.FormatBool(tofu))
			rec := &sshAnswers{}
			h := sshAddHost(t, c, rec, sshd, ip, sshAddKeyCredential(t, c, rec, sshd))
			job := c.runScript(t, "echo reached\n", []target{h}, nil)
			st := c.waitJob(t, job.JobInstanceID, time.Minute)
			recorded, err := os.ReadFile(known)
			require.NoError(t, err)
			line := fmt.Sprintf("[%s]:%s %s", ip, sshd.Port, sshd.HostKey)
			if !tofu {
				require.Equal(t, runFail, st.JobInstance.Status)
				require.Equal(t, hostAgentError, st.host(t, ip).Status)
				require.NotContains(t, c.hostLog(t, job, ip), "reached", "the script never ran")
				require.Contains(t, c.Output.String(), `msg="ssh host key refused"`)
				require.Contains(t, c.Output.String(), "unknown host key for "+sshd.sshAddr(ip))
				require.NotContains(t, string(recorded), line, "nothing is recorded")
				return
			}
			require.Equal(t, runSuccess, st.JobInstance.Status, "%+v", st)
			require.Equal(t, "reached\n", c.hostLog(t, job, ip))
			require.Contains(t, string(recorded), line, "the key is recorded on first use")
		})
	}
}

// TestSSHOverTheBus runs with bus.force_remote: registration reaches manage,
// and the gse role fetches the credential from manage, over the bus.
func TestSSHOverTheBus(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("jobs run as account root (the only account the API offers): the SSH user must be root")
	}
	sshd := startTestSSHD(t)
	const ip = "127.0.0.2"
	c := StartCluster(t, "BKJOB_BUS__FORCE_REMOTE=true", "BKJOB_GSE__SSH__KNOWN_HOSTS_FILE="+writeKnownHosts(t, sshd, ip))
	rec := &sshAnswers{}
	h := sshAddHost(t, c, rec, sshd, ip, sshAddKeyCredential(t, c, rec, sshd))
	job := c.runScript(t, "echo over-the-bus\n", []target{h}, nil)
	st := c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status, "%+v", st)
	require.Equal(t, "over-the-bus\n", c.hostLog(t, job, ip))
}
