package manageimpl

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

func TestScopeAdmin(t *testing.T) { eachBackend(t, testScopeAdmin) }

func fields(name, tz string, maintainers ...string) manage.ScopeFields {
	return manage.ScopeFields{Name: &name, TimeZone: &tz, Maintainers: &maintainers}
}

// requireField: err is the sentinel, on field.
func requireField(t *testing.T, err error, sentinel error, field string) {
	t.Helper()
	require.ErrorIs(t, err, sentinel)
	require.Equal(t, field, errs.From(err).Field, err.Error())
}

func testScopeAdmin(t *testing.T, env credEnv) {
	ctx := context.Background()
	env.each(t, func(t *testing.T, svc manage.Full) {
		// Each run (impl, bus client) uses its own ids.
		base := int64(10)
		if _, ok := svc.(*manage.Client); ok {
			base = 20
		}
		bizA, bizB, set := base+1, base+2, 8000000+base

		t.Run("create a business with its root account", func(t *testing.T) {
			got, err := svc.CreateBiz(ctx, manage.CreateBizRequest{Operator: "admin", BizID: bizA, ScopeFields: fields(" Payments "+itoa(base)+" ", "Europe/Paris", "alice", "bob", "alice")})
			require.NoError(t, err)
			require.Equal(t, "biz", got.Type)
			require.Equal(t, "Payments "+itoa(base), got.Name)
			require.Equal(t, "Europe/Paris", got.TimeZone)
			require.Equal(t, []string{"alice", "bob"}, got.Maintainers, "duplicates dropped, order kept")
			require.Equal(t, manage.LanguageZhCN, got.Language)
			require.Equal(t, "admin", got.Creator)
			sc, err := svc.ResolveScope(ctx, "biz", got.ID)
			require.NoError(t, err)
			require.Equal(t, manage.Scope{Type: "biz", ID: got.ID, BizID: bizA, Name: "Payments " + itoa(base), TimeZone: "Europe/Paris"}, sc)
			root, err := svc.Account(ctx, bizA, manage.AccountRef{Alias: "root"})
			require.NoError(t, err)
			require.Equal(t, manage.AccountTypeLinux, root.Type)
		})
		t.Run("refused input names its field and changes nothing", func(t *testing.T) {
			cases := []struct {
				req   manage.CreateBizRequest
				err   error
				field string
			}{
				{manage.CreateBizRequest{BizID: bizB, ScopeFields: fields("B", "Mars/Olympus")}, errs.ErrInvalid, "time_zone"},
				{manage.CreateBizRequest{BizID: bizB, ScopeFields: fields("B", "Local")}, errs.ErrInvalid, "time_zone"},
				{manage.CreateBizRequest{BizID: bizB, ScopeFields: fields("B", "../../etc/passwd")}, errs.ErrInvalid, "time_zone"},
				{manage.CreateBizRequest{BizID: bizB, ScopeFields: fields(" ", "UTC")}, errs.ErrRequired, "name"},
				{manage.CreateBizRequest{BizID: bizB, ScopeFields: fields("a\nb", "UTC")}, errs.ErrInvalid, "name"},
				{manage.CreateBizRequest{BizID: bizB, ScopeFields: fields("B", "UTC", "al,ice")}, errs.ErrInvalid, "maintainers"},
				{manage.CreateBizRequest{BizID: bizB, ScopeFields: manage.ScopeFields{Name: ptr("B"), Language: ptr("fr")}}, errs.ErrInvalid, "language"},
				{manage.CreateBizRequest{BizID: 0, ScopeFields: fields("B", "UTC")}, errs.ErrInvalid, "bk_biz_id"},
				{manage.CreateBizRequest{BizID: bizA, ScopeFields: fields("Again", "UTC")}, manage.ErrScopeExists, "bk_biz_id"},
				{manage.CreateBizRequest{BizID: 1, ScopeFields: fields("Again", "UTC")}, manage.ErrScopeExists, "bk_biz_id"},
			}
			for _, c := range cases {
				_, err := svc.CreateBiz(ctx, c.req)
				requireField(t, err, c.err, c.field)
			}
			_, err := svc.ResolveScope(ctx, "biz", "1")
			require.NoError(t, err)
			sc, err := svc.ResolveScope(ctx, "biz", "1")
			require.NoError(t, err)
			require.Equal(t, "Default", sc.Name, "business 1 untouched by the duplicate")
			_, err = svc.ResolveScope(ctx, "biz", itoa(bizB))
			require.ErrorIs(t, err, manage.ErrScopeNotFound, "nothing half-written")
		})
		t.Run("an empty time zone is the server's", func(t *testing.T) {
			got, err := svc.CreateBiz(ctx, manage.CreateBizRequest{BizID: bizB, ScopeFields: manage.ScopeFields{Name: ptr("Second")}})
			require.NoError(t, err)
			require.Equal(t, localZoneName(), got.TimeZone)
			require.Equal(t, []string{}, got.Maintainers)
		})
		t.Run("update changes what is given, never the id", func(t *testing.T) {
			got, err := svc.UpdateBiz(ctx, manage.UpdateBizRequest{Operator: "root2", BizID: bizA, ScopeFields: manage.ScopeFields{TimeZone: ptr("Asia/Tokyo")}})
			require.NoError(t, err)
			require.Equal(t, "Payments "+itoa(base), got.Name)
			require.Equal(t, "Asia/Tokyo", got.TimeZone)
			require.Equal(t, []string{"alice", "bob"}, got.Maintainers)
			require.Equal(t, "root2", got.LastModifier)
			_, err = svc.UpdateBiz(ctx, manage.UpdateBizRequest{BizID: bizA, ScopeFields: manage.ScopeFields{TimeZone: ptr("Nowhere")}})
			requireField(t, err, errs.ErrInvalid, "time_zone")
			_, err = svc.UpdateBiz(ctx, manage.UpdateBizRequest{BizID: 999999, ScopeFields: manage.ScopeFields{Name: ptr("x")}})
			requireField(t, err, manage.ErrScopeNotFound, "bk_biz_id")
		})
		t.Run("a business set's members are existing enabled businesses", func(t *testing.T) {
			_, err := svc.CreateBizSet(ctx, manage.CreateBizSetRequest{BizSetID: set, MemberBizIDs: []int64{1, 424242}, ScopeFields: fields("All", "UTC")})
			requireField(t, err, errs.ErrInvalid, "member_biz_ids")
			_, err = svc.CreateBizSet(ctx, manage.CreateBizSetRequest{BizSetID: set, ScopeFields: fields("All", "UTC")})
			requireField(t, err, errs.ErrRequired, "member_biz_ids")
			_, err = svc.CreateBizSet(ctx, manage.CreateBizSetRequest{BizSetID: bizA, MemberBizIDs: []int64{1}, ScopeFields: fields("All", "UTC")})
			requireField(t, err, manage.ErrScopeExists, "bk_biz_set_id")
			got, err := svc.CreateBizSet(ctx, manage.CreateBizSetRequest{BizSetID: set, MemberBizIDs: []int64{bizA, 1, bizA}, ScopeFields: fields("All", "UTC", "carol")})
			require.NoError(t, err)
			require.Equal(t, "biz_set", got.Type)
			require.Equal(t, []int64{1, bizA}, got.MemberBizIDs)
			sc, err := svc.ResolveScope(ctx, "biz_set", got.ID)
			require.NoError(t, err)
			require.Equal(t, set, sc.BizID)
			_, err = svc.CreateBizSet(ctx, manage.CreateBizSetRequest{BizSetID: set + 1, MemberBizIDs: []int64{set}, ScopeFields: fields("Nested", "UTC")})
			requireField(t, err, errs.ErrInvalid, "member_biz_ids")
			_, err = svc.CreateBiz(ctx, manage.CreateBizRequest{BizID: set, ScopeFields: fields("Clash", "UTC")})
			requireField(t, err, manage.ErrScopeExists, "bk_biz_id")
		})
		t.Run("disable instead of delete", func(t *testing.T) {
			_, err := svc.UpdateBiz(ctx, manage.UpdateBizRequest{BizID: 1, Disabled: ptr(true)})
			requireField(t, err, manage.ErrScopeInUse, "disabled")
			_, err = svc.UpdateBiz(ctx, manage.UpdateBizRequest{BizID: bizA, Disabled: ptr(true)})
			requireField(t, err, manage.ErrScopeInUse, "disabled")
			got, err := svc.UpdateBizSet(ctx, manage.UpdateBizSetRequest{BizSetID: set, MemberBizIDs: &[]int64{1}, ScopeFields: manage.ScopeFields{Name: ptr("Only one")}})
			require.NoError(t, err)
			require.Equal(t, []int64{1}, got.MemberBizIDs)
			require.Equal(t, "Only one", got.Name)
			got, err = svc.UpdateBiz(ctx, manage.UpdateBizRequest{BizID: bizA, Disabled: ptr(true)})
			require.NoError(t, err)
			require.True(t, got.Disabled)
			_, err = svc.ResolveScope(ctx, "biz", itoa(bizA))
			require.ErrorIs(t, err, manage.ErrScopeNotFound, "a disabled business does not resolve")
			_, err = svc.UpdateBizSet(ctx, manage.UpdateBizSetRequest{BizSetID: set, MemberBizIDs: &[]int64{bizA}})
			requireField(t, err, errs.ErrInvalid, "member_biz_ids")
			page, err := svc.ListScopes(ctx, manage.ListScopesRequest{Keyword: "Payments " + itoa(base), Length: 10})
			require.NoError(t, err)
			require.Empty(t, page.Data, "disabled ones are listed only when asked")
			page, err = svc.ListScopes(ctx, manage.ListScopesRequest{Keyword: "Payments " + itoa(base), IncludeDisabled: true, Length: 10})
			require.NoError(t, err)
			require.Len(t, page.Data, 1)
			_, err = svc.UpdateBiz(ctx, manage.UpdateBizRequest{BizID: bizA, Disabled: ptr(false)})
			require.NoError(t, err)
			_, err = svc.ResolveScope(ctx, "biz", itoa(bizA))
			require.NoError(t, err)
		})
		t.Run("list searches by name or id, biz before biz_set", func(t *testing.T) {
			page, err := svc.ListScopes(ctx, manage.ListScopesRequest{Length: 1000})
			require.NoError(t, err)
			require.GreaterOrEqual(t, page.Total, 4)
			require.Equal(t, "biz", page.Data[0].Type)
			require.Equal(t, "biz_set", page.Data[len(page.Data)-1].Type)
			page, err = svc.ListScopes(ctx, manage.ListScopesRequest{ScopeTypeFilter: "biz_set", Length: 10})
			require.NoError(t, err)
			for _, s := range page.Data {
				require.Equal(t, "biz_set", s.Type)
			}
			page, err = svc.ListScopes(ctx, manage.ListScopesRequest{Keyword: "%", Length: 10})
			require.NoError(t, err)
			require.Empty(t, page.Data, "LIKE wildcards are literal")
			_, err = svc.ListScopes(ctx, manage.ListScopesRequest{ScopeTypeFilter: "tenant_set"})
			requireField(t, err, errs.ErrInvalid, "scope_type")
			_, err = svc.ListScopes(ctx, manage.ListScopesRequest{Length: 5000})
			requireField(t, err, errs.ErrInvalid, "length")
			all, err := svc.ListScopes(ctx, manage.ListScopesRequest{Length: 1000})
			require.NoError(t, err)
			second, err := svc.ListScopes(ctx, manage.ListScopesRequest{Start: 1, Length: 2})
			require.NoError(t, err)
			require.Equal(t, all.Total, second.Total)
			require.Equal(t, all.Data[1:3], second.Data, "a page is a window of the whole list")
			mine, err := svc.ListAuthorizedScopes(ctx, manage.AuthorizedScopesRequest{})
			require.NoError(t, err)
			require.Len(t, mine.Data, all.Total, "manage answers every enabled scope; the door cuts it")
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestScopeListKeep: the door's cut keeps the allowed scopes, in order.
func TestScopeListKeep(t *testing.T) {
	l := manage.ScopeList{Data: []manage.ScopeInfo{
		{Type: "biz", ID: "1"}, {Type: "biz", ID: "2"}, {Type: "biz_set", ID: "8"}, {Type: "biz", ID: "4"},
	}}
	l.KeepScopes(func(typ, id string) bool { return typ == "biz" && id != "2" })
	require.Equal(t, []manage.ScopeInfo{{Type: "biz", ID: "1"}, {Type: "biz", ID: "4"}}, l.Data)
	l.KeepScopes(func(string, string) bool { return false })
	require.Empty(t, l.Data)
}

func TestBizSetHosts(t *testing.T) { eachBackend(t, testBizSetHosts) }

// testBizSetHosts: a business set lists and checks the hosts of its
// members, never those of another business.
func testBizSetHosts(t *testing.T, env credEnv) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, h := range []hub.HostRecord{
		{ID: 7201, BizID: 2, IP: "10.7.0.2", CreatedAt: now, UpdatedAt: now},
		{ID: 7202, BizID: 3, IP: "10.7.0.3", CreatedAt: now, UpdatedAt: now},
	} {
		require.NoError(t, env.db.Create(&h).Error)
	}
	_, err := env.impl.CreateBiz(ctx, manage.CreateBizRequest{BizID: 3, ScopeFields: fields("Three", "UTC")})
	require.NoError(t, err)
	_, err = env.impl.CreateBizSet(ctx, manage.CreateBizSetRequest{BizSetID: 8000001, MemberBizIDs: []int64{2}, ScopeFields: fields("Set", "UTC")})
	require.NoError(t, err)
	scope := manage.ScopeRef{ScopeType: "biz_set", ScopeID: "8000001", BizID: 8000001, Resolved: true}
	page, err := env.impl.ListBizHosts(ctx, manage.ListBizHostsRequest{ScopeRef: scope, Keyword: "10.7."})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	require.Equal(t, int64(7201), page.Data[0].HostID)
	check, err := env.impl.CheckHosts(ctx, manage.CheckHostsRequest{ScopeRef: scope, HostIDList: []int64{7201, 7202}})
	require.NoError(t, err)
	require.Equal(t, []int64{7202}, check.UnknownHostIDList)

	_, err = env.impl.CreateAgentlessHost(ctx, manage.CreateAgentlessHostRequest{ScopeRef: scope, IP: "10.7.0.9"})
	requireField(t, err, manage.ErrNotForBizSet, "bk_scope_type")
}
