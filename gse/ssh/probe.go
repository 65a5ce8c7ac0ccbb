package ssh

import (
	"context"
	"errors"

	"github.com/bkjob/bkjob/gse"
)

// Probe implements gse.SSHProbe: it dials ep on a connection of its own
// (outside the pool, so a pooled connection made with an older credential
// cannot answer for it), completes the handshake and login, and closes
// it. A refused login is a result, not an error.
func (t *Transport) Probe(ctx context.Context, ep gse.SSHEndpoint) (gse.SSHProbeResult, error) {
	if ep.Addr == "" || ep.User == "" || ep.CredentialID == "" {
		return gse.SSHProbeResult{}, errors.New("ssh probe: address, user and credential are required")
	}
	client, err := t.pool.connectCtx(ctx, connKey{addr: ep.Addr, user: ep.User, cred: ep.CredentialID}, false)
	if err != nil {
		if ctx.Err() != nil {
			return gse.SSHProbeResult{}, ctx.Err()
		}
		reason := gse.SSHProbeNetwork
		var de *dialError
		if errors.As(err, &de) {
			switch de.kind {
			case dialAuth:
				reason = gse.SSHProbeAuth
			case dialHostKey:
				reason = gse.SSHProbeHostKey
				t.log.Warn("ssh host key refused", "addr", ep.Addr, "err", err)
			}
			if errors.Is(err, errCredential) {
				reason = gse.SSHProbeCredential
			}
		}
		return gse.SSHProbeResult{Reason: reason, Detail: err.Error()}, nil
	}
	_ = client.Close()
	return gse.SSHProbeResult{OK: true}, nil
}
