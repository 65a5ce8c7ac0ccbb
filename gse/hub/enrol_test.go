package hub_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/agent"
	"github.com/bkjob/bkjob/gse/hub"
)

const (
	tokOne = "1:token-of-business-one"
	tokTwo = "2:token-of-business-two"
)

// secretOf strips a token's business prefix: what an agent presents.
func secretOf(tok string) string {
	_, s, _ := strings.Cut(tok, ":")
	return s
}

func credentialRow(t *testing.T, gdb *gorm.DB, agentID string) hub.CredentialRecord {
	t.Helper()
	var rec hub.CredentialRecord
	require.NoError(t, gdb.Where("agent_id = ?", agentID).Take(&rec).Error)
	return rec
}

func hostRow(t *testing.T, th *testHub, ip string) hub.HostRecord {
	t.Helper()
	rec, ok, err := th.hub.Registry().ByAddress(context.Background(), 0, ip)
	require.NoError(t, err)
	require.True(t, ok, "host %s", ip)
	return rec
}

// boundAgent is the agent id on the host row at ip.
func boundAgent(t *testing.T, th *testHub, ip string) string {
	t.Helper()
	rec := hostRow(t, th, ip)
	return rec.Agent()
}

// enrolled runs an agent of business one at ip and waits until it holds
// its confirmed credential.
func enrolled(t *testing.T, th *testHub, gdb *gorm.DB, ip string) (agent.Options, func() error) {
	t.Helper()
	opts := th.agentOptions(t, ip)
	opts.Token = secretOf(tokOne)
	stop := runAgent(t, opts)
	th.waitHost(t, ip)
	id := agentID(t, opts.DataDir)
	require.Eventually(t, func() bool {
		var rec hub.CredentialRecord
		return gdb.Where("agent_id = ? AND confirmed_at IS NOT NULL", id).Take(&rec).Error == nil
	}, wait, 10*time.Millisecond)
	return opts, stop
}

func TestEnrolmentIssuesCredential(t *testing.T) {
	gdb := newSQLite(t)
	th, _ := startHubOn(t, gdb, tokOne)
	opts, _ := enrolled(t, th, gdb, "10.7.0.1")
	secret, perm := credentialOf(t, opts.DataDir)
	require.Equal(t, os.FileMode(0o600), perm)
	raw, err := hex.DecodeString(secret)
	require.NoError(t, err)
	require.Len(t, raw, 32, "256-bit secret")
	id := agentID(t, opts.DataDir)
	rec := credentialRow(t, gdb, id)
	sum := sha256.Sum256([]byte(secret))
	require.Equal(t, hex.EncodeToString(sum[:]), rec.SecretSHA256, "only the hash is stored")
	host := hostRow(t, th, "10.7.0.1")
	require.Equal(t, host.ID, rec.HostID)
	require.Equal(t, int64(1), rec.BizID)
	require.NotContains(t, th.logs.String(), secret, "the secret is never logged")
}

// TestTokenCannotTakeForeignHosts reproduces issue 7's first and third
// holes: a token of business 2 took over a business-1 host whose agent was
// away (and received its next task), and any token bound an agent to an
// agentless (SSH) host, whose results it could then forge.
func TestTokenCannotTakeForeignHosts(t *testing.T) {
	gdb := newSQLite(t)
	th, _ := startHubOn(t, gdb, tokOne, tokTwo)
	opts, stop := enrolled(t, th, gdb, "10.7.0.1")
	owner := agentID(t, opts.DataDir)
	require.NoError(t, stop())
	require.Eventually(t, func() bool {
		st, err := th.hub.AgentStatus(context.Background(), []gse.Host{{ID: hostRow(t, th, "10.7.0.1").ID}})
		return err == nil && !st[0].Alive
	}, wait, 10*time.Millisecond)
	now := time.Now().UTC()
	ssh := hub.HostRecord{BizID: 1, IP: "10.7.0.9", SSHAddr: "10.7.0.9:22", CreatedAt: now, UpdatedAt: now}
	require.NoError(t, gdb.Create(&ssh).Error)

	tests := []struct {
		name        string
		header      http.Header
		agentID, ip string
	}{
		{"business 2 token on a business 1 host", tokenHeader(secretOf(tokTwo)), "intruder-1", "10.7.0.1"},
		{"business 2 token with the away agent's id", tokenHeader(secretOf(tokTwo)), owner, "10.7.0.1"},
		{"business 1 token with another id on a bound host", tokenHeader(secretOf(tokOne)), "intruder-2", "10.7.0.1"},
		{"business 1 token with the away agent's id", tokenHeader(secretOf(tokOne)), owner, "10.7.0.1"},
		{"business 1 token on an agentless host", tokenHeader(secretOf(tokOne)), "intruder-3", "10.7.0.9"},
		{"business 2 token on an agentless host", tokenHeader(secretOf(tokTwo)), "intruder-4", "10.7.0.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rawHello(t, th, tt.header, tt.agentID, tt.ip)
			require.Error(t, r.err, "refused, no welcome")
			require.Nil(t, r.welcome)
		})
	}
	require.Equal(t, owner, boundAgent(t, th, "10.7.0.1"), "the host stays bound to its agent")
	require.Equal(t, int64(1), hostRow(t, th, "10.7.0.1").BizID)
	require.Empty(t, boundAgent(t, th, "10.7.0.9"), "the agentless host stays agentless")
	require.Contains(t, th.logs.String(), hub.ErrOtherBusiness.Error())
	require.Contains(t, th.logs.String(), hub.ErrAgentlessHost.Error())
	require.Contains(t, th.logs.String(), hub.ErrNeedsCredential.Error())

	// The owner comes back with its credential; its next task is its own.
	runAgent(t, opts)
	host := th.waitHost(t, "10.7.0.1")
	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "next", Hosts: []gse.Host{host},
		Language: gse.LangShell, Content: "true", Params: "s3cret", Timeout: time.Minute}))
	require.Equal(t, gse.HostStatusSuccess, th.rec.WaitResult(t, "next", host.ID, wait).Status)
}

// TestImpostorCannotCutOffLiveAgent reproduces issue 7's second hole: a
// connection presenting a live agent's id (visible through the API as
// bk_agent_id) replaced the real agent's connection.
func TestImpostorCannotCutOffLiveAgent(t *testing.T) {
	gdb := newSQLite(t)
	th, _ := startHubOn(t, gdb, tokOne, tokTwo)
	opts, _ := enrolled(t, th, gdb, "10.7.0.2")
	id := agentID(t, opts.DataDir)
	tests := []struct {
		name   string
		header http.Header
		ip     string
		status int
	}{
		{"same business token, same address", tokenHeader(secretOf(tokOne)), "10.7.0.2", 0},
		{"same business token, another address", tokenHeader(secretOf(tokOne)), "10.7.0.3", 0},
		{"other business token", tokenHeader(secretOf(tokTwo)), "10.7.0.2", 0},
		{"a guessed credential", credHeader(id, strings.Repeat("ab", 32)), "10.7.0.2", http.StatusUnauthorized},
		{"no secret", credHeader(id, ""), "10.7.0.2", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rawHello(t, th, tt.header, id, tt.ip)
			require.Error(t, r.err)
			require.Nil(t, r.welcome)
			require.Equal(t, tt.status, r.status)
		})
	}
	require.Equal(t, 1, strings.Count(th.logs.String(), `msg="agent connected"`), "the real agent was never replaced")
	host := hostRow(t, th, "10.7.0.2")
	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "after", Hosts: []gse.Host{{ID: host.ID, IP: host.IP}},
		Language: gse.LangShell, Content: "echo still-here", Timeout: time.Minute}))
	require.Equal(t, gse.HostStatusSuccess, th.rec.WaitResult(t, "after", host.ID, wait).Status)
	require.Equal(t, 1, strings.Count(th.logs.String(), `msg="agent connected"`))
}

func TestRevokedAgentIsCutOffAndRefused(t *testing.T) {
	gdb := newSQLite(t)
	th, _ := startHubOn(t, gdb, tokOne)
	opts := th.agentOptions(t, "10.7.0.4")
	opts.Token = secretOf(tokOne)
	done := runAgentErr(t, opts)
	host := th.waitHost(t, "10.7.0.4")
	id := agentID(t, opts.DataDir)
	require.Eventually(t, func() bool { return credentialRow(t, gdb, id).ConfirmedAt != nil }, wait, 10*time.Millisecond)

	found, err := th.hub.Registry().Revoke(t.Context(), id, "admin")
	require.NoError(t, err)
	require.True(t, found)
	select {
	case err := <-done:
		require.True(t, errors.Is(err, agent.ErrUnauthorized), "got %v", err)
	case <-time.After(wait):
		t.Fatal("the revoked agent was not cut off and refused")
	}
	require.Contains(t, th.logs.String(), `msg="revoked agent disconnected"`)
	rec := credentialRow(t, gdb, id)
	require.NotNil(t, rec.RevokedAt)
	require.Equal(t, "admin", rec.RevokedBy)
	st, err := th.hub.AgentStatus(t.Context(), []gse.Host{host})
	require.NoError(t, err)
	require.False(t, st[0].Alive)

	// Its token cannot bring the id back either; a new agent may take the
	// freed host.
	require.Error(t, rawHello(t, th, tokenHeader(secretOf(tokOne)), id, "10.7.0.4").err)
	fresh := th.agentOptions(t, "10.7.0.4")
	fresh.Token = secretOf(tokOne)
	runAgent(t, fresh)
	require.Eventually(t, func() bool {
		id, err := os.ReadFile(filepath.Join(fresh.DataDir, "agent-id"))
		return err == nil && boundAgent(t, th, "10.7.0.4") == strings.TrimSpace(string(id))
	}, wait, 10*time.Millisecond)
	require.Equal(t, host.ID, hostRow(t, th, "10.7.0.4").ID, "the reinstalled agent keeps the host id")
}

// TestTokenRotationKeepsEnrolledAgents: tokens only gate first enrolment,
// so a restart with a new token list (the old one removed) keeps every
// agent that holds a credential, even one started with no token at all.
func TestTokenRotationKeepsEnrolledAgents(t *testing.T) {
	gdb := newSQLite(t)
	th, stopHub := startHubOn(t, gdb, tokOne)
	opts, stop := enrolled(t, th, gdb, "10.7.0.5")
	hostID := hostRow(t, th, "10.7.0.5").ID
	require.NoError(t, stop())
	stopHub()

	th2, _ := startHubOn(t, gdb, "1:rotated-token")
	opts.Server, opts.Token = th2.srv.URL, ""
	runAgent(t, opts)
	require.Equal(t, hostID, th2.waitHost(t, "10.7.0.5").ID)
	require.NotContains(t, th2.logs.String(), `msg="agent enrolled"`, "reconnected, not re-enrolled")

	// The old token admits nobody new; the new one does.
	old := th2.agentOptions(t, "10.7.0.6")
	old.Token = secretOf(tokOne)
	err := agent.Run(t.Context(), old, nil)
	require.True(t, errors.Is(err, agent.ErrUnauthorized), "got %v", err)
	fresh := th2.agentOptions(t, "10.7.0.6")
	fresh.Token = "rotated-token"
	runAgent(t, fresh)
	th2.waitHost(t, "10.7.0.6")
}

// TestLegacyAgentEnrolsOnce is the upgrade path: an agent id already on a
// host row (from before credentials) enrols once with a token of that
// row's business, and needs its credential from then on.
func TestLegacyAgentEnrolsOnce(t *testing.T) {
	gdb := newSQLite(t)
	legacy := "bkjob-legacy-agent"
	now := time.Now().UTC()
	row := hub.HostRecord{BizID: 1, IP: "10.7.0.7", AgentID: &legacy, CreatedAt: now, UpdatedAt: now}
	require.NoError(t, gdb.Create(&row).Error)
	th, _ := startHubOn(t, gdb, tokOne, tokTwo)

	t.Run("not with another business's token", func(t *testing.T) {
		r := rawHello(t, th, tokenHeader(secretOf(tokTwo)), legacy, "10.7.0.7")
		require.Error(t, r.err)
	})
	opts := th.agentOptions(t, "10.7.0.7")
	opts.Token = secretOf(tokOne)
	require.NoError(t, os.WriteFile(filepath.Join(opts.DataDir, "agent-id"), []byte(legacy+"\n"), 0o600))
	stop := runAgent(t, opts)
	require.Equal(t, row.ID, th.waitHost(t, "10.7.0.7").ID, "the legacy agent keeps its host")
	require.Eventually(t, func() bool { return credentialRow(t, gdb, legacy).ConfirmedAt != nil }, wait, 10*time.Millisecond)
	require.NoError(t, stop())
	t.Run("then its token no longer reclaims the id", func(t *testing.T) {
		r := rawHello(t, th, tokenHeader(secretOf(tokOne)), legacy, "10.7.0.7")
		require.Error(t, r.err)
	})
	runAgent(t, opts)
	require.Equal(t, row.ID, th.waitHost(t, "10.7.0.7").ID)
}
