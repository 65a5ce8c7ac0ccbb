package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/wire"
)

// TestAgentIdentity proves issue 7's agent identity rules with real
// `bkjob agent` processes: a business-2 agent takes neither a business-1
// host nor an agentless host, an impostor with a live agent's id cannot
// knock it off, a revoked agent is refused, and after a restart with its
// token removed from the configuration an agent reconnects with its own
// credential.
func TestAgentIdentity(t *testing.T) {
	tok2 := randHex(t, 16)
	c := StartCluster(t, "BKJOB_GSE__AGENT_TOKENS=2:"+tok2)
	a1 := StartAgent(t, c, "127.0.0.31", AgentOptions{})
	a2 := StartAgent(t, c, "127.0.0.32", AgentOptions{})
	id1 := readAgentID(t, a1)

	t.Run("CredentialKept0600", func(t *testing.T) {
		st, err := os.Stat(filepath.Join(a1.DataDir, "agent-credential"))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	})

	t.Run("OtherBusinessCannotTakeHost", func(t *testing.T) {
		a1.Kill(t)
		out := agentRefused(t, c, tok2, "127.0.0.31")
		require.Contains(t, out, "registration refused")
		require.Equal(t, id1, agentOfHost(t, c, "127.0.0.31"), "the host is still a1's")
		a1.Restart(t)
	})

	t.Run("AgentlessHostCannotBeTaken", func(t *testing.T) {
		var ref struct {
			ID string `json:"id"`
		}
		c.v3Into(t, "create_credential", scope(map[string]any{"name": "pw", "type": "USERNAME_PASSWORD",
			"credential_username": "root", "credential_password": "pw"}), &ref)
		c.v3(t, "create_agentless_host", scope(map[string]any{"bk_cloud_id": 0, "ip": "127.0.0.39", "credential_id": ref.ID}))
		for _, tok := range []string{c.Token, tok2} {
			out := agentRefused(t, c, tok, "127.0.0.39")
			require.Contains(t, out, "registration refused")
		}
		require.Contains(t, c.Output.String(), "agentless (SSH) host")
	})

	t.Run("ImpostorCannotKnockOffLiveAgent", func(t *testing.T) {
		before := strings.Count(a2.Output.String(), `msg="agent connected"`)
		id2 := readAgentID(t, a2)
		for _, h := range []http.Header{
			{"Authorization": {"Bearer " + c.Token}},
			{"Authorization": {"Bearer " + strings.Repeat("ab", 32)}, wire.HeaderAgentID: {id2}},
		} {
			require.False(t, impostorWelcomed(t, c, h, id2, a2.IP), "impostor admitted")
		}
		job := c.runScript(t, "echo still-a2", nil, map[string]any{"target_server": map[string]any{"ip_list": []map[string]any{{"bk_cloud_id": 0, "ip": a2.IP}}}})
		require.Equal(t, runSuccess, c.waitJob(t, job.JobInstanceID, time.Minute).JobInstance.Status)
		require.Equal(t, before, strings.Count(a2.Output.String(), `msg="agent connected"`), "a2 was never cut off")
	})

	t.Run("RevokedAgentIsRefused", func(t *testing.T) {
		var got struct {
			Revoked bool `json:"revoked"`
		}
		c.v3Into(t, "revoke_agent", scope(map[string]any{"bk_agent_id": id1}), &got)
		require.True(t, got.Revoked)
		poll(t, time.Minute, "revoked agent never exited", func() (bool, string) {
			select {
			case err := <-a1.done:
				a1.done <- err
				return true, ""
			default:
				return false, tail(a1.Output.String(), 1000)
			}
		})
		require.Contains(t, a1.Output.String(), "credential refused")
		var page struct {
			Data []struct {
				AgentID string `json:"bk_agent_id"`
				Revoked bool   `json:"revoked"`
			} `json:"data"`
		}
		c.v3Into(t, "list_agents", scope(nil), &page)
		revoked := map[string]bool{}
		for _, a := range page.Data {
			revoked[a.AgentID] = a.Revoked
		}
		require.Equal(t, map[string]bool{id1: true, readAgentID(t, a2): false}, revoked)
	})

	t.Run("RestartWithTokenRemoved", func(t *testing.T) {
		require.NoError(t, c.Stop(t))
		for i, kv := range c.env {
			if strings.HasPrefix(kv, "BKJOB_AGENT_TOKEN=") {
				c.env[i] = "BKJOB_AGENT_TOKEN=" + randHex(t, 16)
			}
		}
		c.Restart(t)
		a2.Restart(t) // still started with the old token, now unknown
		job := c.runScript(t, "echo after-rotation", nil, map[string]any{"target_server": map[string]any{"ip_list": []map[string]any{{"bk_cloud_id": 0, "ip": a2.IP}}}})
		require.Equal(t, runSuccess, c.waitJob(t, job.JobInstanceID, time.Minute).JobInstance.Status)
		out, code := run(t, nil, "agent", "--server", c.URL, "--token", c.Token, "--ip", "127.0.0.38", "--data-dir", t.TempDir())
		require.NotEqual(t, 0, code, out)
		require.Contains(t, out, "token refused", "the removed token enrols nobody new")

		// An enrolled agent needs no token at all (the server restarted in
		// this subtest lives only as long as it, so this is checked here).
		a2.Kill(t)
		bare := &Agent{IP: a2.IP, DataDir: a2.DataDir, cluster: &Cluster{Server: c.Server}, server: c.URL}
		bare.start(t) // --token "": the credential in its data dir is enough
		t.Cleanup(func() { bare.Kill(t) })
		bare.WaitConnected(t)
		job = c.runScript(t, "echo no-token", nil, map[string]any{"target_server": map[string]any{"ip_list": []map[string]any{{"bk_cloud_id": 0, "ip": a2.IP}}}})
		require.Equal(t, runSuccess, c.waitJob(t, job.JobInstanceID, time.Minute).JobInstance.Status)
		out, code = run(t, nil, "agent", "--server", c.URL, "--ip", "127.0.0.39", "--data-dir", t.TempDir())
		require.NotEqual(t, 0, code, out)
		require.Contains(t, out, "a token is required until the agent holds a credential", "a new agent without a token is told why")
	})
}

func readAgentID(t *testing.T, a *Agent) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(a.DataDir, "agent-id"))
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}

// agentRefused runs an agent with token at ip until the server logs its
// refusal, then stops it; it returns the server's log.
func agentRefused(t *testing.T, c *Cluster, token, ip string) string {
	t.Helper()
	refused := regexp.MustCompile(`msg="agent registration refused".* ip=` + regexp.QuoteMeta(ip) + ` `)
	before := len(refused.FindAllString(c.Output.String(), -1))
	a := &Agent{IP: ip, DataDir: t.TempDir(), cluster: &Cluster{Server: c.Server, Token: token}, server: c.URL}
	a.start(t)
	defer a.Kill(t)
	poll(t, time.Minute, "agent "+ip+" was not refused", func() (bool, string) {
		return len(refused.FindAllString(c.Output.String(), -1)) > before, tail(a.Output.String(), 1000)
	})
	require.NotRegexp(t, connectedRE(), a.Output.String())
	return c.Output.String()
}

// agentOfHost is the agent list_agents shows on the host at ip.
func agentOfHost(t *testing.T, c *Cluster, ip string) string {
	t.Helper()
	var page struct {
		Data []struct {
			AgentID string `json:"bk_agent_id"`
			IP      string `json:"ip"`
			Revoked bool   `json:"revoked"`
		} `json:"data"`
	}
	c.v3Into(t, "list_agents", scope(nil), &page)
	for _, a := range page.Data {
		if a.IP == ip && !a.Revoked {
			return a.AgentID
		}
	}
	return ""
}

// impostorWelcomed dials the hub as a hand-written agent and reports
// whether it got a welcome.
func impostorWelcomed(t *testing.T, c *Cluster, h http.Header, agentID, ip string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.URL, "http")+wire.Path, &websocket.DialOptions{HTTPHeader: h})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return false
	}
	conn := wire.NewConn(ws)
	defer conn.CloseNow()
	hello := &wire.Hello{AgentID: agentID, IP: ip, Hostname: "impostor", OS: "linux"}
	require.NoError(t, conn.Send(ctx, &wire.Message{Type: wire.TypeHello, Hello: hello}))
	m, err := conn.Recv(ctx)
	return err == nil && m.Type == wire.TypeWelcome
}
