package manageimpl

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

func TestListAndDeleteCredentials(t *testing.T) { eachBackend(t, testListAndDeleteCredentials) }

func testListAndDeleteCredentials(t *testing.T, env credEnv) {
	ctx := context.Background()
	mk := func(name string, biz int64) manage.CredentialID {
		req := biz1(manage.CreateCredentialRequest{Name: name, Type: "PASSWORD", CredentialValues: manage.CredentialValues{Password: "s3cret-" + name}})
		req.BizID = biz
		ref, err := env.impl.CreateCredential(ctx, req)
		require.NoError(t, err)
		return ref.ID
	}
	web := mk("web_deploy", 1)
	db := mk("db-root", 1)
	pct := mk("100%_sure", 1)
	other := mk("web_other", 2)
	scope := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}
	_, err := env.impl.CreateAgentlessHost(ctx, manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: "10.7.0.1", SSHUser: "root", CredentialID: db})
	require.NoError(t, err)

	env.each(t, func(t *testing.T, svc manage.Full) {
		page, err := svc.ListCredentials(ctx, manage.ListCredentialsRequest{ScopeRef: scope})
		require.NoError(t, err)
		require.Equal(t, 3, page.Total, "another business's credential is not listed")
		var names []string
		for _, c := range page.Data {
			names = append(names, c.Name)
			require.Equal(t, "PASSWORD", c.Type)
			require.Equal(t, "alice", c.Creator)
		}
		require.Equal(t, []string{"100%_sure", "db-root", "web_deploy"}, names, "by name")
		require.NotContains(t, strings.Join(names, ""), "s3cret")

		// The filter is a literal substring: % and _ are not wildcards.
		page, err = svc.ListCredentials(ctx, manage.ListCredentialsRequest{ScopeRef: scope, Name: "%"})
		require.NoError(t, err)
		require.Len(t, page.Data, 1)
		require.Equal(t, pct, page.Data[0].ID)
		page, err = svc.ListCredentials(ctx, manage.ListCredentialsRequest{ScopeRef: scope, Name: "web"})
		require.NoError(t, err)
		require.Len(t, page.Data, 1)
		require.Equal(t, web, page.Data[0].ID)
		page, err = svc.ListCredentials(ctx, manage.ListCredentialsRequest{ScopeRef: scope, Length: 1, Start: 1})
		require.NoError(t, err)
		require.Equal(t, 3, page.Total)
		require.Len(t, page.Data, 1)

		for _, bad := range []struct {
			req   manage.ListCredentialsRequest
			field string
		}{
			{manage.ListCredentialsRequest{ScopeRef: scope, Name: strings.Repeat("x", 65)}, "name"},
			{manage.ListCredentialsRequest{ScopeRef: scope, Length: 5000}, "length"},
			{manage.ListCredentialsRequest{ScopeRef: scope, Start: -1}, "start"},
			{manage.ListCredentialsRequest{}, "bk_scope_id"},
		} {
			_, err := svc.ListCredentials(ctx, bad.req)
			require.ErrorIs(t, err, errs.ErrInvalid, bad.field)
			require.Equal(t, bad.field, errs.From(err).Field, bad.field)
		}

		// Another business's credential cannot be deleted from this one.
		_, err = svc.DeleteCredential(ctx, manage.DeleteCredentialRequest{ScopeRef: scope, ID: other})
		require.ErrorIs(t, err, manage.ErrCredentialNotFound)
		// A credential a host logs in with stays, and the error says which host.
		_, err = svc.DeleteCredential(ctx, manage.DeleteCredentialRequest{ScopeRef: scope, ID: db})
		require.ErrorIs(t, err, manage.ErrCredentialInUse)
		require.Contains(t, err.Error(), "0:10.7.0.1")
		require.Equal(t, "id", errs.From(err).Field)
		_, err = svc.DeleteCredential(ctx, manage.DeleteCredentialRequest{ScopeRef: scope, ID: "nothex"})
		require.ErrorIs(t, err, errs.ErrInvalid)
	})
	_, err = env.impl.GetCredential(ctx, manage.GetCredentialRequest{ScopeRef: scope, ID: db})
	require.NoError(t, err, "the refused delete changed nothing")
	got, err := manage.NewClient(env.bus).DeleteCredential(ctx, manage.DeleteCredentialRequest{ScopeRef: scope, ID: web, Operator: "alice"})
	require.NoError(t, err)
	require.Equal(t, "web_deploy", got.Name)
	_, err = env.impl.GetCredential(ctx, manage.GetCredentialRequest{ScopeRef: scope, ID: web})
	require.ErrorIs(t, err, manage.ErrCredentialNotFound)
	_, err = env.impl.DeleteCredential(ctx, manage.DeleteCredentialRequest{ScopeRef: scope, ID: web})
	require.ErrorIs(t, err, manage.ErrCredentialNotFound, "twice")
	_, err = env.impl.GetCredential(ctx, manage.GetCredentialRequest{ScopeRef: manage.ScopeRef{ScopeType: "biz", ScopeID: "2", BizID: 2}, ID: other})
	require.NoError(t, err, "the other business's credential is untouched")
}

func TestListAgentsKeyword(t *testing.T) { eachBackend(t, testListAgentsKeyword) }

func testListAgentsKeyword(t *testing.T, env credEnv) {
	ctx := context.Background()
	now := time.Now().UTC()
	for i, h := range []struct {
		biz       int64
		ip, agent string
	}{{1, "10.8.0.1", "Agent-Alpha"}, {1, "10.8.1.2", "agent-beta"}, {2, "10.8.0.3", "agent-alpha-2"}} {
		agent := h.agent
		rec := hub.HostRecord{BizID: h.biz, IP: h.ip, AgentID: &agent, CreatedAt: now, UpdatedAt: now}
		require.NoError(t, env.db.Create(&rec).Error, i)
	}
	scope := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}
	env.each(t, func(t *testing.T, svc manage.Full) {
		ids := func(keyword string) []string {
			page, err := svc.ListAgents(ctx, manage.ListAgentsRequest{ScopeRef: scope, Keyword: keyword})
			require.NoError(t, err)
			require.Equal(t, len(page.Data), page.Total)
			out := []string{}
			for _, a := range page.Data {
				out = append(out, a.AgentID)
			}
			return out
		}
		require.Equal(t, []string{"Agent-Alpha"}, ids("alpha"), "case ignored; the other business's alpha is not listed")
		require.Equal(t, []string{"agent-beta"}, ids("10.8.1"), "by IP")
		require.Equal(t, []string{"Agent-Alpha", "agent-beta"}, ids(" "), "blank is no filter")
		require.Empty(t, ids("10.8.0.3"), "another business's host")
		_, err := svc.ListAgents(ctx, manage.ListAgentsRequest{ScopeRef: scope, Keyword: strings.Repeat("a", 65)})
		require.ErrorIs(t, err, errs.ErrInvalid)
		require.Equal(t, "keyword", errs.From(err).Field)
	})
}

func TestDeleteCredentialRacesHostRegistration(t *testing.T) {
	eachBackend(t, testDeleteCredentialRacesHostRegistration)
}

// testDeleteCredentialRacesHostRegistration: a credential deleted while a
// host is being registered with it never leaves the host naming a
// credential that is gone — one of the two calls loses, with its own error.
func testDeleteCredentialRacesHostRegistration(t *testing.T, env credEnv) {
	ctx := context.Background()
	scope := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}
	for i := range 12 {
		req := biz1(manage.CreateCredentialRequest{Name: fmt.Sprintf("race-%d", i), Type: "PASSWORD", CredentialValues: manage.CredentialValues{Password: "pw"}})
		ref, err := env.impl.CreateCredential(ctx, req)
		require.NoError(t, err)
		var createErr, deleteErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			_, createErr = env.impl.CreateAgentlessHost(ctx, manage.CreateAgentlessHostRequest{
				ScopeRef: scope, IP: fmt.Sprintf("10.9.0.%d", i+1), SSHUser: "root", CredentialID: ref.ID})
		})
		wg.Go(func() {
			_, deleteErr = env.impl.DeleteCredential(ctx, manage.DeleteCredentialRequest{ScopeRef: scope, ID: ref.ID})
		})
		wg.Wait()
		if createErr != nil {
			require.ErrorIs(t, createErr, manage.ErrCredentialNotFound, "round %d", i)
		}
		if deleteErr != nil {
			require.ErrorIs(t, deleteErr, manage.ErrCredentialInUse, "round %d", i)
		}
		var hosts int64
		require.NoError(t, env.db.Model(&agentlessHost{}).Where("credential_id = ?", string(ref.ID)).Count(&hosts).Error)
		_, getErr := env.impl.GetCredential(ctx, manage.GetCredentialRequest{ScopeRef: scope, ID: ref.ID})
		if hosts > 0 {
			require.NoError(t, getErr, "round %d: a host names the credential, so it must still exist", i)
		}
		require.True(t, (createErr == nil) != (deleteErr == nil), "round %d: exactly one wins (create %v, delete %v)", i, createErr, deleteErr)
	}
}
