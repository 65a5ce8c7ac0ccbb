package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// agentsSetup is one server and three agents (127.0.0.11–13).
type agentsSetup struct {
	c  *Cluster
	a1 *Agent
	a2 *Agent
	a3 *Agent
}

// TestAgentTransport proves issue 3's behaviours for the built-in agent
// through the OpenAPI v3 with real `bkjob agent` processes. Agent deaths
// are in TestAgentDeath.
func TestAgentTransport(t *testing.T) {
	s := &agentsSetup{c: StartCluster(t, "BKJOB_GSE__MAX_OUTPUT_BYTES="+strconv.Itoa(capBytes))}
	cases := &transportCases{c: s.c}
	var opt AgentOptions
	if canUnshare(t) {
		cases.private, cases.dst = true, t.TempDir()
		opt.PrivateDirs = []string{cases.dst}
	}
	s.a1 = StartAgent(t, s.c, "127.0.0.11", opt)
	s.a2 = StartAgent(t, s.c, "127.0.0.12", opt)
	s.a3 = StartAgent(t, s.c, "127.0.0.13", opt)
	cases.h1, cases.h2, cases.h3 = s.a1, s.a2, s.a3

	t.Run("HostsRegistered", s.hostsRegistered)
	cases.run(t)
	t.Run("RefusedToken", s.refusedToken)
}

func (s *agentsSetup) hostsRegistered(t *testing.T) {
	ids := []int64{s.a1.HostID(t), s.a2.HostID(t), s.a3.HostID(t)}
	require.Len(t, map[int64]bool{ids[0]: true, ids[1]: true, ids[2]: true}, 3, "distinct host ids")
	var info struct {
		List []struct {
			HostID int64 `json:"bk_host_id"`
			Status int   `json:"status"`
		} `json:"agent_info_list"`
	}
	s.c.v3Into(t, "query_agent_info", scope(map[string]any{"host_id_list": ids}), &info)
	require.Len(t, info.List, 3)
	for _, a := range info.List {
		require.Equal(t, 1, a.Status, "agent of host %d is normal", a.HostID)
	}
	// A target named by host id works like one named by IP.
	job := s.c.runScript(t, "echo by-id", nil, map[string]any{"target_server": map[string]any{"host_id_list": ids[:1]}})
	st := s.c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, runSuccess, st.JobInstance.Status)
	require.Equal(t, ids[0], st.host(t, s.a1.IP).HostID)
}

func (s *agentsSetup) refusedToken(t *testing.T) {
	out, code := run(t, nil, "agent", "--server", s.c.URL, "--token", "not-"+s.c.Token,
		"--ip", "127.0.0.19", "--data-dir", t.TempDir())
	require.NotEqual(t, 0, code, out)
	require.Contains(t, out, "token refused")
	require.Contains(t, s.c.Output.String(), `msg="agent token refused"`, "the server logs it")
}
