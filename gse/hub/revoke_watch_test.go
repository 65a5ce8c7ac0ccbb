package hub_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/agent"
	"github.com/bkjob/bkjob/gse/hub"
)

// TestRevocationMissedByATickStillCutsOff reproduces a hole: the watcher
// looked only at revocations of the last minute, so one the hub missed (a
// database outage, a stalled hub, clock skew) left the revoked agent
// connected for good. A revocation dated an hour ago stands for all of them.
func TestRevocationMissedByATickStillCutsOff(t *testing.T) {
	gdb := newSQLite(t)
	th, _ := startHubOn(t, gdb, tokOne)
	opts := th.agentOptions(t, "10.7.2.1")
	opts.Token = secretOf(tokOne)
	done := runAgentErr(t, opts)
	th.waitHost(t, "10.7.2.1")
	id := agentID(t, opts.DataDir)
	require.Eventually(t, func() bool { return credentialRow(t, gdb, id).ConfirmedAt != nil }, wait, 10*time.Millisecond)

	long := time.Now().UTC().Add(-time.Hour)
	require.NoError(t, gdb.Model(&hub.CredentialRecord{}).Where("agent_id = ?", id).
		Updates(map[string]any{"revoked_at": long, "revoked_by": "admin"}).Error)
	select {
	case err := <-done:
		require.True(t, errors.Is(err, agent.ErrUnauthorized), "got %v", err)
	case <-time.After(wait):
		t.Fatal("the revoked agent stayed connected")
	}
	require.Contains(t, th.logs.String(), `msg="revoked agent disconnected"`)
}
