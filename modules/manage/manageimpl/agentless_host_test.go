package manageimpl

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

func TestAgentlessHosts(t *testing.T) { eachBackend(t, testAgentlessHosts) }

func testAgentlessHosts(t *testing.T, env credEnv) {
	ctx := context.Background()
	key := testPrivateKey(t)
	mk := func(req manage.CreateCredentialRequest, biz int64) manage.CredentialID {
		req = biz1(req)
		req.BizID = biz
		ref, err := env.impl.CreateCredential(ctx, req)
		require.NoError(t, err)
		return ref.ID
	}
	keyCred := mk(manage.CreateCredentialRequest{Name: "key", Type: "SECRET_KEY", CredentialValues: manage.CredentialValues{SecretKey: key}}, 1)
	userCred := mk(manage.CreateCredentialRequest{Name: "up", Type: "USERNAME_PASSWORD",
		CredentialValues: manage.CredentialValues{Username: "deploy", Password: "pw"}}, 1)
	pwCred := mk(manage.CreateCredentialRequest{Name: "pw", Type: "PASSWORD", CredentialValues: manage.CredentialValues{Password: "pw"}}, 1)
	akCred := mk(manage.CreateCredentialRequest{Name: "ak", Type: "APP_ID_SECRET_KEY",
		CredentialValues: manage.CredentialValues{AccessKey: "a", SecretKey: "s"}}, 1)
	junkKey := mk(manage.CreateCredentialRequest{Name: "junk", Type: "SECRET_KEY", CredentialValues: manage.CredentialValues{SecretKey: "not a key"}}, 1)
	otherBiz := mk(manage.CreateCredentialRequest{Name: "other", Type: "PASSWORD", CredentialValues: manage.CredentialValues{Password: "pw"}}, 2)
	scope := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}

	env.each(t, func(t *testing.T, svc manage.Full) {
		hostCount := func() int64 {
			var n int64
			require.NoError(t, env.db.Table("host").Count(&n).Error)
			return n
		}
		before := hostCount()
		// Each run of this closure uses its own addresses.
		base := "10.0.0."
		if _, ok := svc.(*manage.Client); ok {
			base = "10.0.1."
		}
		bad := []struct {
			name  string
			req   manage.CreateAgentlessHostRequest
			field string
			err   error
		}{
			{name: "no business", req: manage.CreateAgentlessHostRequest{IP: base + "9", SSHUser: "root", CredentialID: keyCred}, field: "bk_scope_id", err: errs.ErrInvalid},
			{name: "negative cloud", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, CloudID: -1, IP: base + "9", SSHUser: "root", CredentialID: keyCred}, field: "bk_cloud_id", err: errs.ErrInvalid},
			{name: "no ip", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, SSHUser: "root", CredentialID: keyCred}, field: "ip", err: errs.ErrInvalid},
			{name: "bad ip", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: "10.0.0.300", SSHUser: "root", CredentialID: keyCred}, field: "ip", err: errs.ErrInvalid},
			{name: "ipv6", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: "::1", SSHUser: "root", CredentialID: keyCred}, field: "ip", err: errs.ErrInvalid},
			{name: "bad port", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "9", SSHPort: 70000, SSHUser: "root", CredentialID: keyCred}, field: "ssh_port", err: errs.ErrInvalid},
			{name: "no credential", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "9", SSHUser: "root"}, field: "credential_id", err: errs.ErrInvalid},
			{name: "unknown credential", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "9", SSHUser: "root", CredentialID: unknownCredentialID}, field: "credential_id", err: manage.ErrCredentialNotFound},
			{name: "old integer credential id", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "9", SSHUser: "root", CredentialID: "12"}, field: "credential_id", err: errs.ErrInvalid},
			{name: "credential id not hex", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "9", SSHUser: "root", CredentialID: "zz" + keyCred[2:]}, field: "credential_id", err: errs.ErrInvalid},
			{name: "credential id too long", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "9", SSHUser: "root", CredentialID: keyCred + "0"}, field: "credential_id", err: errs.ErrInvalid},
			{name: "credential of another business", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "9", SSHUser: "root", CredentialID: otherBiz}, field: "credential_id", err: manage.ErrCredentialNotFound},
			{name: "access key credential", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "9", SSHUser: "root", CredentialID: akCred}, field: "credential_id", err: manage.ErrCredentialNotForSSH},
			{name: "secret key that is no ssh key", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "9", SSHUser: "root", CredentialID: junkKey}, field: "credential_id", err: manage.ErrCredentialNotForSSH},
			{name: "no user", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "9", CredentialID: pwCred}, field: "ssh_user", err: errs.ErrInvalid},
			{name: "user with a space", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "9", SSHUser: "a b", CredentialID: pwCred}, field: "ssh_user", err: errs.ErrInvalid},
			{name: "user like an option", req: manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "9", SSHUser: "-oProxyCommand", CredentialID: pwCred}, field: "ssh_user", err: errs.ErrInvalid},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				_, err := svc.CreateAgentlessHost(ctx, tc.req)
				require.ErrorIs(t, err, tc.err)
				require.Equal(t, tc.field, errs.From(err).Field)
			})
		}
		require.Equal(t, before, hostCount(), "bad input writes nothing")

		h, err := svc.CreateAgentlessHost(ctx, manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: " " + base + "2", SSHUser: "root", CredentialID: keyCred})
		require.NoError(t, err)
		require.Positive(t, h.HostID)
		require.Equal(t, manage.AgentlessHost{HostID: h.HostID, IP: base + "2", SSHPort: 22, SSHUser: "root", CredentialID: keyCred}, h)
		h3, err := svc.CreateAgentlessHost(ctx, manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "4", SSHUser: "root",
			CredentialID: " " + manage.CredentialID(strings.ToUpper(string(pwCred))) + " "})
		require.NoError(t, err)
		require.Equal(t, pwCred, h3.CredentialID, "an id in capitals or with spaces names the same credential, stored canonical")

		h2, err := svc.CreateAgentlessHost(ctx, manage.CreateAgentlessHostRequest{ScopeRef: scope, CloudID: 3, IP: base + "3", SSHPort: 2222, CredentialID: userCred})
		require.NoError(t, err)
		require.Equal(t, "deploy", h2.SSHUser, "the user name comes from a USERNAME_PASSWORD credential")
		require.Equal(t, 2222, h2.SSHPort)

		_, err = svc.CreateAgentlessHost(ctx, manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: base + "2", SSHUser: "root", CredentialID: pwCred})
		require.ErrorIs(t, err, manage.ErrHostExists)
		require.Equal(t, "ip", errs.From(err).Field)

		var row agentlessHost
		require.NoError(t, env.db.Where("id = ?", h2.HostID).Take(&row).Error)
		require.Equal(t, base+"3:2222", row.SSHAddr)
		require.Nil(t, row.AgentID, "an agentless host has no agent id")

		page, err := svc.ListAgentlessHosts(ctx, manage.ListAgentlessHostsRequest{ScopeRef: scope, Length: 1000})
		require.NoError(t, err)
		require.Contains(t, page.Data, h)
		require.Contains(t, page.Data, h2)
		require.Contains(t, page.Data, h3)
		require.Equal(t, page.Total, len(page.Data))
		one, err := svc.ListAgentlessHosts(ctx, manage.ListAgentlessHostsRequest{ScopeRef: scope, Start: 1, Length: 1})
		require.NoError(t, err)
		require.Equal(t, page.Data[1:2], one.Data)
		_, err = svc.ListAgentlessHosts(ctx, manage.ListAgentlessHostsRequest{ScopeRef: scope, Length: 5000})
		require.Equal(t, "length", errs.From(err).Field)
		other, err := svc.ListAgentlessHosts(ctx, manage.ListAgentlessHostsRequest{ScopeRef: manage.ScopeRef{BizID: 2}})
		require.NoError(t, err)
		require.Empty(t, other.Data, "hosts do not leak across businesses")
	})
}
