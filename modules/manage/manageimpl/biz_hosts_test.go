package manageimpl

import (
	"context"
	"fmt"
	"io"
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

func TestBizHosts(t *testing.T) { eachBackend(t, testBizHosts) }

// bizHostsFixture is business 1's hosts (and one of business 2, one of no
// business) as testBizHosts creates them. Their ids (71xx) appear in no IP
// or name, so a search by id finds only the id.
type bizHostsFixture struct {
	online, offline, never, ssh, orphan, other hub.HostRecord
}

func seedBizHosts(t *testing.T, env credEnv) bizHostsFixture {
	now := time.Now().UTC().Truncate(time.Millisecond)
	before := now.Add(-time.Hour)
	host := func(h hub.HostRecord) hub.HostRecord {
		h.CreatedAt, h.UpdatedAt = now, now
		require.NoError(t, env.db.Create(&h).Error)
		return h
	}
	agent := func(id string) *string { return &id }
	return bizHostsFixture{
		online:  host(hub.HostRecord{ID: 7101, BizID: 1, IP: "10.6.0.1", Hostname: "web-01", OS: "linux", AgentID: agent("a-online"), Alive: true, LastSeen: &now}),
		offline: host(hub.HostRecord{ID: 7102, BizID: 1, CloudID: 2, IP: "10.6.0.2", Hostname: "db_01", AgentID: agent("a-offline"), LastSeen: &before}),
		never:   host(hub.HostRecord{ID: 7103, BizID: 1, IP: "10.6.1.3", AgentID: agent("a-never")}),
		ssh:     host(hub.HostRecord{ID: 7104, BizID: 1, IP: "10.6.1.4", Hostname: "bastion", SSHAddr: "10.6.1.4:22"}),
		orphan:  host(hub.HostRecord{ID: 7105, BizID: 0, IP: "10.6.2.5", AgentID: agent("a-orphan"), Alive: true, LastSeen: &now}),
		other:   host(hub.HostRecord{ID: 7106, BizID: 2, IP: "10.6.0.6", Hostname: "web-02", AgentID: agent("a-other"), Alive: true, LastSeen: &now}),
	}
}

func testBizHosts(t *testing.T, env credEnv) {
	ctx := context.Background()
	f := seedBizHosts(t, env)
	scope := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}
	ids := func(page manage.BizHostPage) []int64 {
		out := []int64{}
		for _, h := range page.Data {
			out = append(out, h.HostID)
		}
		return out
	}

	env.each(t, func(t *testing.T, svc manage.Full) {
		page, err := svc.ListBizHosts(ctx, manage.ListBizHostsRequest{ScopeRef: scope})
		require.NoError(t, err)
		require.Equal(t, 5, page.Total, "business 1's hosts and the one of no business, never business 2's")
		require.Equal(t, []int64{f.online.ID, f.offline.ID, f.never.ID, f.ssh.ID, f.orphan.ID}, ids(page))
		status := map[int64]string{}
		for _, h := range page.Data {
			status[h.HostID] = h.Transport + "/" + h.AgentStatus
		}
		require.Equal(t, map[int64]string{f.online.ID: "agent/online", f.offline.ID: "agent/offline", f.never.ID: "agent/never_seen",
			f.ssh.ID: "ssh/agentless", f.orphan.ID: "agent/online"}, status)
		require.Equal(t, manage.BizHost{HostID: f.online.ID, IP: "10.6.0.1", Hostname: "web-01", OS: "linux", Transport: "agent",
			AgentStatus: "online", LastSeen: f.online.LastSeen.UnixMilli()}, page.Data[0])

		search := []struct {
			keyword string
			want    []int64
		}{
			{"10.6.0.", []int64{f.online.ID, f.offline.ID}}, // IP prefix; business 2's 10.6.0.6 stays out
			{".1.", []int64{f.never.ID, f.ssh.ID}},          // IP substring
			{"WEB", []int64{f.online.ID}},                   // host name, any case; not business 2's web-02
			{"db_", []int64{f.offline.ID}},                  // '_' is a character, not a wildcard
			{"b%0", []int64{}},                              // '%' too
			{"2:10.6", []int64{f.offline.ID}},               // cloud:IP
			{"0:", []int64{f.online.ID, f.never.ID, f.ssh.ID, f.orphan.ID}},
			{fmt.Sprint(f.ssh.ID), []int64{f.ssh.ID}}, // host id (no IP or name holds it)
			{fmt.Sprint(f.other.ID), []int64{}},       // not another business's
			{"  bastion ", []int64{f.ssh.ID}},
		}
		for _, s := range search {
			page, err := svc.ListBizHosts(ctx, manage.ListBizHostsRequest{ScopeRef: scope, Keyword: s.keyword})
			require.NoError(t, err, s.keyword)
			require.Equal(t, s.want, ids(page), "keyword %q", s.keyword)
			require.Equal(t, len(s.want), page.Total, s.keyword)
		}
		page, err = svc.ListBizHosts(ctx, manage.ListBizHostsRequest{ScopeRef: scope, Start: 1, Length: 2})
		require.NoError(t, err)
		require.Equal(t, []int64{f.offline.ID, f.never.ID}, ids(page))
		require.Equal(t, 5, page.Total)

		other, err := svc.ListBizHosts(ctx, manage.ListBizHostsRequest{ScopeRef: manage.ScopeRef{ScopeType: "biz", ScopeID: "2", BizID: 2}})
		require.NoError(t, err)
		require.Equal(t, []int64{f.orphan.ID, f.other.ID}, ids(other))

		bad := []struct {
			req   manage.ListBizHostsRequest
			field string
		}{
			{manage.ListBizHostsRequest{}, "bk_scope_id"},
			{manage.ListBizHostsRequest{ScopeRef: scope, Start: -1}, "start"},
			{manage.ListBizHostsRequest{ScopeRef: scope, Length: 1001}, "length"},
			{manage.ListBizHostsRequest{ScopeRef: scope, Keyword: strings.Repeat("1", manage.MaxHostKeywordLen+1)}, "keyword"},
			{manage.ListBizHostsRequest{ScopeRef: scope, Keyword: "10.\x00"}, "keyword"},
		}
		for _, b := range bad {
			_, err := svc.ListBizHosts(ctx, b.req)
			require.Error(t, err, b.field)
			require.Equal(t, b.field, errs.From(err).Field)
		}
	})

	env.each(t, func(t *testing.T, svc manage.Full) {
		got, err := svc.CheckHosts(ctx, manage.CheckHostsRequest{ScopeRef: scope,
			HostIDList: []int64{f.online.ID, f.never.ID, f.other.ID, 999999, f.online.ID},
			IPList: []manage.HostIP{{IP: "10.6.0.1"}, {CloudID: 2, IP: "10.6.0.2"}, {IP: "10.6.0.2"}, {IP: "10.6.0.6"},
				{IP: "10.6.1.4"}, {IP: "10.6.2.5"}, {IP: "10.9.9.9"}},
		})
		require.NoError(t, err)
		require.Equal(t, 11, got.Checked, "repeats count once")
		require.Equal(t, 6, got.Known)
		require.Equal(t, []int64{f.other.ID, 999999}, got.UnknownHostIDList, "another business's host is unknown here")
		require.Equal(t, []manage.HostIP{{IP: "10.6.0.2"}, {IP: "10.6.0.6"}, {IP: "10.9.9.9"}}, got.UnknownIPList,
			"10.6.0.2 is in cloud area 2, not 0; 10.6.0.6 is business 2's")
		var offline []string
		for _, h := range got.OfflineHostList {
			offline = append(offline, fmt.Sprintf("%d:%s %s", h.CloudID, h.IP, h.AgentStatus))
		}
		require.Equal(t, []string{"0:10.6.1.3 never_seen", "2:10.6.0.2 offline"}, offline,
			"online and agentless hosts are not offline")

		bad := []struct {
			req   manage.CheckHostsRequest
			field string
		}{
			{manage.CheckHostsRequest{HostIDList: []int64{1}}, "bk_scope_id"},
			{manage.CheckHostsRequest{ScopeRef: scope}, "host_id_list"},
			{manage.CheckHostsRequest{ScopeRef: scope, HostIDList: []int64{1, 0}}, "host_id_list[1]"},
			{manage.CheckHostsRequest{ScopeRef: scope, IPList: []manage.HostIP{{IP: "10.0.0.1"}, {IP: "10.0.0.256"}}}, "ip_list[1].ip"},
			{manage.CheckHostsRequest{ScopeRef: scope, IPList: []manage.HostIP{{IP: "::1"}}}, "ip_list[0].ip"},
			{manage.CheckHostsRequest{ScopeRef: scope, IPList: []manage.HostIP{{IP: "010.0.0.1"}}}, "ip_list[0].ip"},
			{manage.CheckHostsRequest{ScopeRef: scope, IPList: []manage.HostIP{{CloudID: -1, IP: "10.0.0.1"}}}, "ip_list[0].bk_cloud_id"},
			{manage.CheckHostsRequest{ScopeRef: scope, HostIDList: make([]int64, manage.MaxCheckHosts), IPList: []manage.HostIP{{IP: "10.0.0.1"}}}, "host_id_list"},
		}
		for _, b := range bad {
			_, err := svc.CheckHosts(ctx, b.req)
			require.Error(t, err, b.field)
			require.Equal(t, b.field, errs.From(err).Field)
		}
	})
}

// TestCheckHostsLarge: a list of the largest size is checked in one call,
// across many chunks, and finds the known hosts among the unknown.
func TestCheckHostsLarge(t *testing.T) { eachBackend(t, testCheckHostsLarge) }

func testCheckHostsLarge(t *testing.T, env credEnv) {
	ctx := context.Background()
	now := time.Now().UTC()
	rows := make([]hub.HostRecord, 0, 1200)
	for i := range 1200 {
		biz := int64(1)
		if i%2 == 1 {
			biz = 2 // every other host is another business's
		}
		rows = append(rows, hub.HostRecord{BizID: biz, IP: fmt.Sprintf("10.7.%d.%d", i/250, i%250), Alive: i%4 == 0,
			AgentID: ptr(fmt.Sprintf("large-%d", i)), LastSeen: &now, CreatedAt: now, UpdatedAt: now})
	}
	require.NoError(t, env.db.CreateInBatches(&rows, 200).Error)
	req := manage.CheckHostsRequest{ScopeRef: manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}}
	for i := range manage.MaxCheckHosts {
		req.IPList = append(req.IPList, manage.HostIP{IP: fmt.Sprintf("10.7.%d.%d", i/250, i%250)})
	}
	got, err := manage.NewClient(env.bus).CheckHosts(ctx, req)
	require.NoError(t, err)
	require.Equal(t, manage.MaxCheckHosts, got.Checked)
	require.Equal(t, 600, got.Known, "business 1's half of the 1,200 hosts")
	require.Len(t, got.UnknownIPList, manage.MaxCheckHosts-600)
	require.Len(t, got.OfflineHostList, 300, "of business 1's hosts, every other one is offline")
	for _, h := range got.OfflineHostList {
		require.Equal(t, manage.AgentOffline, h.AgentStatus)
	}
}

func ptr[T any](v T) *T { return &v }

// TestBizHostsDoor: both endpoints are for whoever may use the business,
// not administrators only, and they take the business from the door: a
// caller without the business is refused before manage is asked.
func TestBizHostsDoor(t *testing.T) {
	env := newCredEnv(t, openSQLite(t))
	seedBizHosts(t, env)
	for _, d := range manage.Declarations() {
		if d.Go == "ListBizHosts" || d.Go == "CheckHosts" {
			require.False(t, d.Admin, d.Go)
		}
	}
	for _, granted := range []bool{false, true} {
		e := echo.New()
		e.HTTPErrorHandler = httpx.ErrorHandler(slog.New(slog.DiscardHandler))
		act := func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				httpx.SetActor(c, httpx.Actor{Username: "bob", AllScopes: granted})
				return next(c)
			}
		}
		manage.RegisterV3(e.Group("/api/v3", act), env.impl)
		manage.RegisterWeb(e.Group("/api/web", act), env.impl)
		srv := httptest.NewServer(e)
		t.Cleanup(srv.Close)
		v3, raw := call(t, srv, http.MethodPost, "list_biz_hosts", `{"bk_scope_type":"biz","bk_scope_id":"1","keyword":"web"}`)
		require.Equal(t, granted, v3.Result, raw)
		if granted {
			require.Contains(t, raw, `"hostname":"web-01"`)
			require.NotContains(t, raw, "web-02", "business 2's host")
		}
		v3, raw = call(t, srv, http.MethodGet, "check_hosts", `{"bk_scope_type":"biz","bk_scope_id":"1","host_id_list":[1]}`)
		require.False(t, v3.Result, "check_hosts is POST only: %s", raw)
		web := func(path, body string) (int, string) {
			resp, err := http.Post(srv.URL+"/api/web/"+path, "application/json", strings.NewReader(body))
			require.NoError(t, err)
			defer func() { _ = resp.Body.Close() }()
			raw, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			return resp.StatusCode, string(raw)
		}
		code, body := web("check_hosts", `{"bk_scope_type":"biz","bk_scope_id":"1","ip_list":[{"bk_cloud_id":0,"ip":"10.6.0.6"}]}`)
		if !granted {
			require.Equal(t, http.StatusForbidden, code, body)
			continue
		}
		require.Equal(t, http.StatusOK, code, body)
		require.Contains(t, body, `"unknown_ip_list":[{"bk_cloud_id":0,"ip":"10.6.0.6"}]`)
		code, body = web("check_hosts", `{"bk_scope_type":"biz","bk_scope_id":"1","ip_list":[{"bk_cloud_id":0,"ip":"nope"}]}`)
		require.Equal(t, http.StatusBadRequest, code)
		require.Contains(t, body, "ip_list[0].ip")
	}
}

// TestBizHostsUnderGSE2: when BlueKing GSE reaches the hosts, the host rows
// say nothing of their agents: the state is unknown, and no host is called
// offline on their word.
func TestBizHostsUnderGSE2(t *testing.T) {
	env := newCredEnv(t, openSQLite(t))
	f := seedBizHosts(t, env)
	svc := New(env.db, slog.New(slog.DiscardHandler), WithGSEHosts())
	scope := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}
	page, err := svc.ListBizHosts(context.Background(), manage.ListBizHostsRequest{ScopeRef: scope})
	require.NoError(t, err)
	for _, h := range page.Data {
		want := manage.AgentUnknown
		if h.HostID == f.ssh.ID {
			want = manage.AgentNone
		}
		require.Equal(t, want, h.AgentStatus, h.IP)
	}
	got, err := svc.CheckHosts(context.Background(), manage.CheckHostsRequest{ScopeRef: scope, HostIDList: []int64{f.offline.ID, f.never.ID}})
	require.NoError(t, err)
	require.Equal(t, 2, got.Known)
	require.Empty(t, got.OfflineHostList)
}
