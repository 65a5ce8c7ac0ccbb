package gse

import (
	"context"

	"github.com/bkjob/bkjob/platform/bus"
)

// Why an SSH login test failed (SSHProbeResult.Reason): stable words the
// UI and API clients translate, the detail being the SSH library's text.
const (
	SSHProbeNetwork    = "network"    // no TCP connection or the handshake broke off
	SSHProbeAuth       = "auth"       // the server refused the user and credential
	SSHProbeHostKey    = "host_key"   // the host key is unknown or changed
	SSHProbeCredential = "credential" // the credential cannot be loaded or used
)

// SSHProbeResult is the outcome of one login test on an agentless host.
type SSHProbeResult struct {
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"` // one of SSHProbe*; empty when OK
	Detail string `json:"detail,omitempty"` // what the SSH client said; never a secret
}

// SSHProbe logs in to an agentless host's endpoint now, on a fresh
// connection (not a pooled one that may predate a credential change), and
// reports whether it could. An error means the test could not be made at
// all (no gse role answers, say), not that the login failed.
type SSHProbe func(ctx context.Context, ep SSHEndpoint) (SSHProbeResult, error)

// MethodSSHProbe is the bus method of the gse role's SSHProbe: manage asks
// through it, since manage never depends on the gse role (gse uses manage
// for credentials, so the reverse edge would be a cycle).
const MethodSSHProbe = "gse.SSHProbe"

// BusSSHProbe is an SSHProbe answered by whichever gse role serves
// MethodSSHProbe.
func BusSSHProbe(b bus.Bus) SSHProbe {
	return func(ctx context.Context, ep SSHEndpoint) (SSHProbeResult, error) {
		return bus.Call[SSHEndpoint, SSHProbeResult](ctx, b, MethodSSHProbe, ep)
	}
}

// ServeSSHProbe lets other processes' manage roles test logins through p.
func ServeSSHProbe(b bus.Bus, p SSHProbe) error {
	return bus.Handle(b, MethodSSHProbe, func(ctx context.Context, ep SSHEndpoint) (SSHProbeResult, error) {
		return p(ctx, ep)
	})
}
