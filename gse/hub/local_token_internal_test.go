package hub

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLocalTokenFromThisHost: the built-in agent's token counts only from
// this host — a loopback peer, or a peer on the very address the server
// accepted the connection on (http.addr bound to one interface) — never
// from another address.
func TestLocalTokenFromThisHost(t *testing.T) {
	h := &Hub{cfg: Config{Local: LocalEnrolment{Token: "local-secret", AgentID: "bkjob-local"}}}
	request := func(remote, local string) *http.Request {
		r := &http.Request{RemoteAddr: remote}
		if local != "" {
			addr, err := net.ResolveTCPAddr("tcp", local)
			require.NoError(t, err)
			r = r.WithContext(context.WithValue(context.Background(), http.LocalAddrContextKey, net.Addr(addr)))
		}
		return r
	}
	tests := []struct {
		name          string
		remote, local string
		secret        string
		want          bool
	}{
		{"loopback peer", "127.0.0.1:40000", "127.0.0.1:8080", "local-secret", true},
		{"self-connection on a bound interface", "10.0.0.5:40000", "10.0.0.5:8080", "local-secret", true},
		{"another host", "10.0.0.6:40000", "10.0.0.5:8080", "local-secret", false},
		{"another host, no local address known", "10.0.0.6:40000", "", "local-secret", false},
		{"wrong token from loopback", "127.0.0.1:40000", "127.0.0.1:8080", "guess", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, h.isLocalToken(request(tt.remote, tt.local), tt.secret))
		})
	}
}
