package manageimpl

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

func TestGSEHosts(t *testing.T) { eachBackend(t, testGSEHosts) }

func testGSEHosts(t *testing.T, env credEnv) {
	ctx := context.Background()
	biz1 := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}
	biz2 := manage.ScopeRef{ScopeType: "biz", ScopeID: "2", BizID: 2}

	env.each(t, func(t *testing.T, svc manage.Full) {
		_, err := svc.RegisterGSEHosts(ctx, manage.RegisterGSEHostsRequest{ScopeRef: biz1,
			HostList: []manage.GSEHostSpec{{IP: "10.9.0.1", AgentID: "a"}}})
		require.ErrorIs(t, err, manage.ErrGSEHostsOff, "refused unless gse.transport is gse2")
		require.Contains(t, err.Error(), "gse.transport")
	})
	env.impl.gseHosts = true

	hostCount := func(t *testing.T) int64 {
		var n int64
		require.NoError(t, env.db.Table("host").Count(&n).Error)
		return n
	}
	agentOf := func(t *testing.T, id int64) (int64, string) {
		var r gseHostRow
		require.NoError(t, env.db.Where("id = ?", id).Take(&r).Error)
		require.NotNil(t, r.AgentID)
		return r.BizID, *r.AgentID
	}

	env.each(t, func(t *testing.T, svc manage.Full) {
		// Each run of this closure uses its own addresses and agent ids.
		base, tag := "10.20.0.", "i"
		if _, ok := svc.(*manage.Client); ok {
			base, tag = "10.20.1.", "c"
		}
		ip := func(n int) string { return fmt.Sprintf("%s%d", base, n) }
		ag := func(name string) string { return tag + "-" + name }
		one := func(ip, agent string) []manage.GSEHostSpec { return []manage.GSEHostSpec{{IP: ip, AgentID: agent}} }
		many := make([]manage.GSEHostSpec, manage.MaxGSEHostsPerCall+1)
		for i := range many {
			many[i] = manage.GSEHostSpec{IP: fmt.Sprintf("10.30.%d.%d", i/250, i%250+1), AgentID: fmt.Sprintf("m-%d", i)}
		}

		before := hostCount(t)
		bad := []struct {
			name  string
			req   manage.RegisterGSEHostsRequest
			field string
		}{
			{"no business", manage.RegisterGSEHostsRequest{HostList: one(ip(9), ag("x"))}, "bk_scope_id"},
			{"empty list", manage.RegisterGSEHostsRequest{ScopeRef: biz1}, "host_list"},
			{"too many", manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: many}, "host_list"},
			{"negative cloud", manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: []manage.GSEHostSpec{{CloudID: -1, IP: ip(9), AgentID: ag("x")}}}, "host_list[0].bk_cloud_id"},
			{"no ip", manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: one("", ag("x"))}, "host_list[0].ip"},
			{"bad ip", manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: one("10.0.0.300", ag("x"))}, "host_list[0].ip"},
			{"ipv6", manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: one("::1", ag("x"))}, "host_list[0].ip"},
			{"ip with a port", manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: one(ip(9)+":22", ag("x"))}, "host_list[0].ip"},
			{"no agent id", manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: one(ip(9), "")}, "host_list[0].bk_agent_id"},
			{"agent id too long", manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: one(ip(9), strings.Repeat("a", 65))}, "host_list[0].bk_agent_id"},
			{"listed twice", manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: []manage.GSEHostSpec{
				{IP: ip(8), AgentID: ag("x")}, {IP: " " + ip(8), AgentID: ag("y")}}}, "host_list[1].ip"},
			{"agent id twice", manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: []manage.GSEHostSpec{
				{IP: ip(8), AgentID: ag("x")}, {IP: ip(9), AgentID: ag("x")}}}, "host_list[1].bk_agent_id"},
		}
		for _, id := range []string{"a;rm -rf /", "a b", "a'--", "$(id)", "`id`", "a\nb", "a\x00b", "ä", "a/b", "../x", "a\"b", "a%0a", "<script>"} {
			bad = append(bad, struct {
				name  string
				req   manage.RegisterGSEHostsRequest
				field string
			}{"agent id " + fmt.Sprintf("%q", id), manage.RegisterGSEHostsRequest{ScopeRef: biz1,
				HostList: []manage.GSEHostSpec{{IP: ip(8), AgentID: ag("ok")}, {IP: ip(9), AgentID: id}}}, "host_list[1].bk_agent_id"})
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				_, err := svc.RegisterGSEHosts(ctx, tc.req)
				require.ErrorIs(t, err, errs.ErrInvalid)
				require.Equal(t, tc.field, errs.From(err).Field, err.Error())
			})
		}
		require.Equal(t, before, hostCount(t), "bad input writes nothing")

		// New hosts, in the order asked; a second call with the same
		// list changes nothing.
		req := manage.RegisterGSEHostsRequest{ScopeRef: biz1, Operator: "admin", HostList: []manage.GSEHostSpec{
			{IP: ip(1), AgentID: ag("0:one")}, {CloudID: 3, IP: " " + ip(2), AgentID: ag("two.b_c-d")}, {IP: ip(3), AgentID: ag("three")}}}
		got, err := svc.RegisterGSEHosts(ctx, req)
		require.NoError(t, err)
		require.Len(t, got.HostList, 3)
		for i, h := range got.HostList {
			require.Positive(t, h.HostID)
			require.True(t, h.Created)
			require.Equal(t, manage.GSEHost{HostID: h.HostID, CloudID: req.HostList[i].CloudID, IP: ip(i + 1), AgentID: req.HostList[i].AgentID, Created: true}, h)
			biz, agent := agentOf(t, h.HostID)
			require.Equal(t, int64(1), biz)
			require.Equal(t, req.HostList[i].AgentID, agent)
		}
		again, err := svc.RegisterGSEHosts(ctx, req)
		require.NoError(t, err)
		for i, h := range again.HostList {
			require.Equal(t, got.HostList[i].HostID, h.HostID)
			require.False(t, h.Created)
		}

		// Existing hosts get their new agent ids; two hosts may swap.
		swapped, err := svc.RegisterGSEHosts(ctx, manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: []manage.GSEHostSpec{
			{IP: ip(1), AgentID: ag("three")}, {IP: ip(3), AgentID: ag("0:one")}, {IP: ip(4), AgentID: ag("four")}}})
		require.NoError(t, err)
		require.Equal(t, got.HostList[0].HostID, swapped.HostList[0].HostID)
		require.False(t, swapped.HostList[0].Created)
		require.True(t, swapped.HostList[2].Created)
		_, agent := agentOf(t, got.HostList[0].HostID)
		require.Equal(t, ag("three"), agent)
		_, agent = agentOf(t, got.HostList[2].HostID)
		require.Equal(t, ag("0:one"), agent)

		// A host of business 2. Business 1 may not register its address
		// nor its agent id, and a refused call writes nothing at all.
		other, err := svc.RegisterGSEHosts(ctx, manage.RegisterGSEHostsRequest{ScopeRef: biz2, HostList: one(ip(20), ag("secret-of-2"))})
		require.NoError(t, err)
		before = hostCount(t)
		_, err = svc.RegisterGSEHosts(ctx, manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: []manage.GSEHostSpec{
			{IP: ip(5), AgentID: ag("five")}, {IP: ip(1), AgentID: ag("moved")}, {IP: ip(20), AgentID: ag("mine")}}})
		require.ErrorIs(t, err, manage.ErrHostExists)
		require.Equal(t, "host_list[2].ip", errs.From(err).Field)
		require.Contains(t, err.Error(), "another business")
		require.NotContains(t, err.Error(), "secret-of-2")
		require.NotContains(t, err.Error(), fmt.Sprintf("host %d ", other.HostList[0].HostID), "another business's host id is not named")
		require.Equal(t, before, hostCount(t), "nothing was inserted")
		_, agent = agentOf(t, got.HostList[0].HostID)
		require.Equal(t, ag("three"), agent, "nothing was updated")
		biz, agent := agentOf(t, other.HostList[0].HostID)
		require.Equal(t, int64(2), biz)
		require.Equal(t, ag("secret-of-2"), agent)

		_, err = svc.RegisterGSEHosts(ctx, manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: []manage.GSEHostSpec{
			{IP: ip(5), AgentID: ag("five")}, {IP: ip(6), AgentID: ag("secret-of-2")}}})
		require.ErrorIs(t, err, manage.ErrAgentIDTaken)
		require.Equal(t, "host_list[1].bk_agent_id", errs.From(err).Field)
		require.Contains(t, err.Error(), "another business")
		require.NotContains(t, err.Error(), ip(20))

		// An agent id another host of the business holds is refused too.
		_, err = svc.RegisterGSEHosts(ctx, manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: one(ip(6), ag("four"))})
		require.ErrorIs(t, err, manage.ErrAgentIDTaken)
		require.Contains(t, err.Error(), ip(4))
		require.Equal(t, before, hostCount(t))
	})

	t.Run("hub hosts", func(t *testing.T) {
		now := time.Now().UTC()
		// A host row the hub made without an agent takes a GSE agent id.
		bare := hub.HostRecord{BizID: 1, IP: "10.21.0.1", CreatedAt: now, UpdatedAt: now}
		require.NoError(t, env.db.Create(&bare).Error)
		got, err := env.impl.RegisterGSEHosts(ctx, manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: []manage.GSEHostSpec{{IP: "10.21.0.1", AgentID: "bare"}}})
		require.NoError(t, err)
		require.Equal(t, bare.ID, got.HostList[0].HostID)
		require.False(t, got.HostList[0].Created)

		// An agentless host cannot have an agent.
		ssh := gseHostRow{BizID: 1, IP: "10.21.0.2", SSHAddr: "10.21.0.2:22", CreatedAt: now, UpdatedAt: now}
		require.NoError(t, env.db.Create(&ssh).Error)
		_, err = env.impl.RegisterGSEHosts(ctx, manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: []manage.GSEHostSpec{{IP: "10.21.0.2", AgentID: "ssh"}}})
		require.ErrorIs(t, err, manage.ErrHostExists)
		require.Contains(t, err.Error(), "agentless")

		// An id the hub issued in business 2 (its host row since freed).
		require.NoError(t, env.db.Create(&hub.CredentialRecord{AgentID: "issued-in-2", BizID: 2, HostID: 999999,
			SecretSHA256: strings.Repeat("0", 64), EnrolledAt: now}).Error)
		_, err = env.impl.RegisterGSEHosts(ctx, manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: []manage.GSEHostSpec{{IP: "10.21.0.3", AgentID: "issued-in-2"}}})
		require.ErrorIs(t, err, manage.ErrAgentIDTaken)
	})

	t.Run("a thousand hosts", func(t *testing.T) {
		list := make([]manage.GSEHostSpec, manage.MaxGSEHostsPerCall)
		for i := range list {
			list[i] = manage.GSEHostSpec{CloudID: 7, IP: fmt.Sprintf("10.40.%d.%d", i/250, i%250+1), AgentID: fmt.Sprintf("k-%d", i)}
		}
		got, err := env.impl.RegisterGSEHosts(ctx, manage.RegisterGSEHostsRequest{ScopeRef: biz1, HostList: list})
		require.NoError(t, err)
		seen := map[int64]bool{}
		for i, h := range got.HostList {
			require.Equal(t, list[i].IP, h.IP)
			require.False(t, seen[h.HostID], "host ids are distinct")
			seen[h.HostID] = true
			var r gseHostRow
			require.NoError(t, env.db.Where("id = ?", h.HostID).Take(&r).Error)
			require.Equal(t, list[i].AgentID, *r.AgentID, "host %d has its own agent id", h.HostID)
			require.Equal(t, list[i].IP, r.IP)
		}
	})
}

// TestGSEHostsV3: register_gse_hosts is POST only and for administrators
// only; integers may come as strings; the answer carries the host ids.
func TestGSEHostsV3(t *testing.T) {
	env := newCredEnv(t, openSQLite(t))
	env.impl.gseHosts = true
	for _, admin := range []bool{false, true} {
		e := echo.New()
		e.HTTPErrorHandler = httpx.ErrorHandler(slog.New(slog.DiscardHandler))
		manage.RegisterV3(e.Group("/api/v3", func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				httpx.SetActor(c, httpx.Actor{Username: "bob", AppCode: "ops", AllScopes: admin})
				return next(c)
			}
		}), env.impl)
		srv := httptest.NewServer(e)
		t.Cleanup(srv.Close)
		body := `{"bk_scope_type":"biz","bk_scope_id":"1","host_list":[{"bk_cloud_id":"0","ip":"10.50.0.1","bk_agent_id":"0:abc"}]}`
		v3, raw := call(t, srv, http.MethodPost, "register_gse_hosts", body)
		if !admin {
			require.False(t, v3.Result, raw)
			require.Equal(t, 1238001, v3.Code, "bk-job's no-permission code")
			require.Contains(t, raw, "administrator")
			var n int64
			require.NoError(t, env.db.Table("host").Where("ip = ?", "10.50.0.1").Count(&n).Error)
			require.Zero(t, n)
			continue
		}
		require.True(t, v3.Result, raw)
		require.Regexp(t, `^\{"host_list":\[\{"bk_host_id":"?\d+"?,"bk_cloud_id":"?0"?,"ip":"10.50.0.1","bk_agent_id":"0:abc","created":true\}\]\}$`, string(v3.Data))
		v3, raw = call(t, srv, http.MethodGet, "register_gse_hosts?bk_scope_type=biz&bk_scope_id=1", "")
		require.False(t, v3.Result, raw)
		require.Equal(t, 1239003, v3.Code, "POST only")
		v3, raw = call(t, srv, http.MethodPost, "register_gse_hosts", `{"bk_scope_type":"biz","bk_scope_id":"1","host_list":[{"ip":"10.50.0.2","bk_agent_id":"x;id"}]}`)
		require.False(t, v3.Result, raw)
		require.True(t, strings.HasPrefix(v3.Message, "host_list[0].bk_agent_id: "), v3.Message)
	}
}

// TestGSEHostsConcurrent: two businesses registering one new address at
// the same moment: exactly one gets it, the other is refused clearly (the
// unique key decides; the loser's checks then see the winner's row).
func TestGSEHostsConcurrent(t *testing.T) {
	eachBackend(t, func(t *testing.T, env credEnv) {
		env.impl.gseHosts = true
		ctx := context.Background()
		for round := range 10 {
			ip := fmt.Sprintf("10.60.0.%d", round+1)
			start := make(chan struct{})
			errs := make(chan error, 2)
			for biz := int64(1); biz <= 2; biz++ {
				go func() {
					<-start
					_, err := env.impl.RegisterGSEHosts(ctx, manage.RegisterGSEHostsRequest{
						ScopeRef: manage.ScopeRef{BizID: biz},
						HostList: []manage.GSEHostSpec{{IP: ip, AgentID: fmt.Sprintf("race-%d-%d", round, biz)}}})
					errs <- err
				}()
			}
			close(start)
			var failed []error
			for range 2 {
				if err := <-errs; err != nil {
					failed = append(failed, err)
				}
			}
			require.Len(t, failed, 1, "round %d: exactly one business gets %s", round, ip)
			require.ErrorIs(t, failed[0], manage.ErrHostExists, "round %d", round)
			var rows []gseHostRow
			require.NoError(t, env.db.Where("ip = ?", ip).Find(&rows).Error)
			require.Len(t, rows, 1)
			require.Equal(t, fmt.Sprintf("race-%d-%d", round, rows[0].BizID), *rows[0].AgentID)
		}
	})
}
