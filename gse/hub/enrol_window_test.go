package hub_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/hub"
)

// TestUnconfirmedAgentIDExpires reproduces a hole: an agent id whose
// credential was never confirmed (an old agent binary ignoring it, or an
// attacker) could be enrolled again by any same-business token for ever.
// Now only within hub.UnconfirmedEnrolWindow of its enrolment.
func TestUnconfirmedAgentIDExpires(t *testing.T) {
	gdb := newSQLite(t)
	th, _ := startHubOn(t, gdb, tokOne)
	const id = "never-confirms"
	first := rawHello(t, th, tokenHeader(secretOf(tokOne)), id, "10.7.1.1")
	require.NoError(t, first.err)
	require.NotEmpty(t, first.welcome.Credential)
	enrolledAt := credentialRow(t, gdb, id).EnrolledAt
	_ = first.conn.CloseNow()

	// Within the window the same id enrols again (the agent lost the
	// welcome), and the window still counts from the first enrolment.
	require.Eventually(t, func() bool {
		r := rawHello(t, th, tokenHeader(secretOf(tokOne)), id, "10.7.1.1")
		if r.err == nil {
			_ = r.conn.CloseNow()
		}
		return r.err == nil
	}, wait, 20*time.Millisecond)
	require.True(t, credentialRow(t, gdb, id).EnrolledAt.Equal(enrolledAt), "re-enrolment does not extend the window")

	past := time.Now().UTC().Add(-hub.UnconfirmedEnrolWindow - time.Minute)
	require.NoError(t, gdb.Model(&hub.CredentialRecord{}).Where("agent_id = ?", id).Update("enrolled_at", past).Error)
	require.Eventually(t, func() bool {
		r := rawHello(t, th, tokenHeader(secretOf(tokOne)), id, "10.7.1.1")
		return r.err != nil && r.welcome == nil && strings.Contains(th.logs.String(), "never confirmed")
	}, wait, 20*time.Millisecond, "refused once the window has passed")
	require.Contains(t, th.logs.String(), hub.ErrNeedsCredential.Error())

	// A confirmed agent enrolled long ago still reconnects with its credential.
	opts, stop := enrolled(t, th, gdb, "10.7.1.2")
	require.NoError(t, stop())
	require.NoError(t, gdb.Model(&hub.CredentialRecord{}).Where("agent_id = ?", agentID(t, opts.DataDir)).
		Update("enrolled_at", past).Error)
	opts.Token = ""
	runAgent(t, opts)
	host := th.waitHost(t, "10.7.1.2")
	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "confirmed", Hosts: []gse.Host{host},
		Language: gse.LangShell, Content: "true", Timeout: time.Minute}))
	require.Equal(t, gse.HostStatusSuccess, th.rec.WaitResult(t, "confirmed", host.ID, wait).Status)
}
