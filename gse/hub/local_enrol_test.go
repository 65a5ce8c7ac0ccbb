package hub_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/hub"
)

// TestLocalTokenEnrolsOnlyTheBuiltInAgent reproduces a hole: the built-in
// agent's in-memory token was a full business-1 token for the life of the
// process, so root on the server host could read it and enrol any host.
func TestLocalTokenEnrolsOnlyTheBuiltInAgent(t *testing.T) {
	gdb := newSQLite(t)
	const tok, self = "local-only-token", "bkjob-builtin"
	th, _ := startHubWith(t, gdb, func(c *hub.Config) {
		c.Local = hub.LocalEnrolment{Token: tok, AgentID: self, IP: "127.0.0.1"}
	}, tokOne)
	// The same hub seen from another address than loopback.
	remote := *th
	remote.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.RemoteAddr = "192.0.2.7:40000"
		th.hub.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(remote.srv.Close)

	tests := []struct {
		name        string
		th          *testHub
		agentID, ip string
	}{
		{"a new host", th, "intruder", "10.7.3.1"},
		{"another agent id at the built-in agent's address", th, "intruder", "127.0.0.1"},
		{"the built-in agent's id at another address", th, self, "10.7.3.1"},
		{"the built-in agent's identity from a remote peer", &remote, self, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rawHello(t, tt.th, tokenHeader(tok), tt.agentID, tt.ip)
			require.Error(t, r.err)
			require.Nil(t, r.welcome)
		})
	}
	r := rawHello(t, th, tokenHeader(tok), self, "127.0.0.1")
	require.NoError(t, r.err)
	require.NotEmpty(t, r.welcome.Credential, "the built-in agent enrols")
	_, found, err := th.hub.Registry().ByAddress(t.Context(), 0, "10.7.3.1")
	require.NoError(t, err)
	require.False(t, found, "no host was enrolled with the local token")
}
