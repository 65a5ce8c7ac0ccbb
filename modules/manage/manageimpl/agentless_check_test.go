package manageimpl

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// TestCheckAgentlessHost: the login test checks the request as a
// registration does before the gse role is asked, so a hostile caller
// never gets another business's credential (or an unusable one) tried;
// the probe's answer comes back as it is.
func TestCheckAgentlessHost(t *testing.T) { eachBackend(t, testCheckAgentlessHost) }

func testCheckAgentlessHost(t *testing.T, env credEnv) {
	ctx := context.Background()
	var (
		mu    sync.Mutex
		asked []gse.SSHEndpoint
	)
	answer := gse.SSHProbeResult{Reason: gse.SSHProbeAuth, Detail: "ssh: unable to authenticate"}
	env.impl.probe = func(_ context.Context, ep gse.SSHEndpoint) (gse.SSHProbeResult, error) {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, ep)
		if ep.Addr == "10.9.0.66:22" {
			return gse.SSHProbeResult{}, errors.New("no gse role answered")
		}
		return answer, nil
	}
	mk := func(req manage.CreateCredentialRequest, biz int64) manage.CredentialID {
		req = biz1(req)
		req.BizID = biz
		ref, err := env.impl.CreateCredential(ctx, req)
		require.NoError(t, err)
		return ref.ID
	}
	userCred := mk(manage.CreateCredentialRequest{Name: "up", Type: "USERNAME_PASSWORD", CredentialValues: manage.CredentialValues{Username: "deploy", Password: "pw"}}, 1)
	akCred := mk(manage.CreateCredentialRequest{Name: "ak", Type: "APP_ID_SECRET_KEY", CredentialValues: manage.CredentialValues{AccessKey: "a", SecretKey: "s"}}, 1)
	otherBiz := mk(manage.CreateCredentialRequest{Name: "other", Type: "PASSWORD", CredentialValues: manage.CredentialValues{Password: "pw"}}, 2)
	scope := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}

	env.each(t, func(t *testing.T, svc manage.Full) {
		mu.Lock()
		asked = nil
		mu.Unlock()
		for _, bad := range []struct {
			name  string
			req   manage.CheckAgentlessHostRequest
			field string
			err   error
		}{
			{"credential of another business", manage.CheckAgentlessHostRequest{ScopeRef: scope, IP: "10.9.0.1", SSHUser: "root", CredentialID: otherBiz}, "credential_id", manage.ErrCredentialNotFound},
			{"credential that cannot ssh", manage.CheckAgentlessHostRequest{ScopeRef: scope, IP: "10.9.0.1", SSHUser: "root", CredentialID: akCred}, "credential_id", manage.ErrCredentialNotForSSH},
			{"bad ip", manage.CheckAgentlessHostRequest{ScopeRef: scope, IP: "example.com", CredentialID: userCred}, "ip", errs.ErrInvalid},
			{"bad port", manage.CheckAgentlessHostRequest{ScopeRef: scope, IP: "10.9.0.1", SSHPort: 65536, CredentialID: userCred}, "ssh_port", errs.ErrInvalid},
			{"user like an option", manage.CheckAgentlessHostRequest{ScopeRef: scope, IP: "10.9.0.1", SSHUser: "-oProxyCommand=x", CredentialID: userCred}, "ssh_user", errs.ErrInvalid},
			{"no business", manage.CheckAgentlessHostRequest{IP: "10.9.0.1", CredentialID: userCred}, "bk_scope_id", errs.ErrInvalid},
		} {
			_, err := svc.CheckAgentlessHost(ctx, bad.req)
			require.ErrorIs(t, err, bad.err, bad.name)
			require.Equal(t, bad.field, errs.From(err).Field, bad.name)
		}
		mu.Lock()
		require.Empty(t, asked, "nothing refused reached the gse role")
		mu.Unlock()

		got, err := svc.CheckAgentlessHost(ctx, manage.CheckAgentlessHostRequest{ScopeRef: scope, IP: " 10.9.0.1 ", SSHPort: 2222, CredentialID: userCred})
		require.NoError(t, err)
		require.Equal(t, manage.AgentlessHostCheck{Reason: "auth", Detail: "ssh: unable to authenticate", SSHAddr: "10.9.0.1:2222", SSHUser: "deploy"}, got,
			"the user comes from the credential when none is given")
		mu.Lock()
		require.Equal(t, []gse.SSHEndpoint{{Addr: "10.9.0.1:2222", User: "deploy", CredentialID: string(userCred)}}, asked,
			"only the credential's id is handed over, never its secret")
		mu.Unlock()

		_, err = svc.CheckAgentlessHost(ctx, manage.CheckAgentlessHostRequest{ScopeRef: scope, IP: "10.9.0.66", CredentialID: userCred})
		require.ErrorIs(t, err, manage.ErrSSHProbeUnavailable)
	})
	var n int64
	require.NoError(t, env.db.Table("host").Count(&n).Error)
	require.Zero(t, n, "a test registers nothing")

	env.impl.probe = nil
	_, err := env.impl.CheckAgentlessHost(ctx, manage.CheckAgentlessHostRequest{ScopeRef: scope, IP: "10.9.0.1", CredentialID: userCred})
	require.ErrorIs(t, err, manage.ErrSSHProbeUnavailable)
}
