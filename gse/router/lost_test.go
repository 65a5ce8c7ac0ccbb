package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/router"
)

// Lost answers that the fake holds nothing but the hosts in held.
func (f *fake) Lost(_ context.Context, _ string, hosts []gse.Host) ([]int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int64
	for _, h := range hosts {
		f.lostAsked = append(f.lostAsked, h.ID)
		if !f.held[h.ID] {
			out = append(out, h.ID)
		}
	}
	return out, nil
}

func TestLostAsksEachTransportAboutItsOwnHosts(t *testing.T) {
	agent := &fake{held: map[int64]bool{1: true}}
	ssh := &fake{held: map[int64]bool{2: true}}
	r := router.New(agent, ssh)
	hosts := mixedHosts()
	lost, err := r.Lost(context.Background(), "t1", hosts)
	require.NoError(t, err)
	var agentIDs, sshIDs []int64
	for _, h := range hosts {
		if h.SSH != nil {
			sshIDs = append(sshIDs, h.ID)
		} else {
			agentIDs = append(agentIDs, h.ID)
		}
	}
	require.ElementsMatch(t, agentIDs, agent.lostAsked, "the agent transport is asked about agent hosts only")
	require.ElementsMatch(t, sshIDs, ssh.lostAsked, "the SSH transport is asked about SSH hosts only")
	want := []int64{3, 4} // each not held by the transport that reaches it
	require.ElementsMatch(t, want, lost)
}

func TestLostWithoutTheNeededTransportIsRefused(t *testing.T) {
	r := router.New(&fake{}, nil)
	_, err := r.Lost(context.Background(), "t1", []gse.Host{{ID: 9, SSH: &gse.SSHEndpoint{Addr: "127.0.0.1:22"}}})
	require.ErrorIs(t, err, router.ErrNoTransport)
}
