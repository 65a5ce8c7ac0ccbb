package manageimpl

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// ListBizHosts implements manage.BizHosts.
func (s *Service) ListBizHosts(ctx context.Context, req manage.ListBizHostsRequest) (manage.BizHostPage, error) {
	if req.BizID <= 0 {
		return manage.BizHostPage{}, errs.Required("bk_scope_id")
	}
	length, err := pageLength(req.Start, req.Length)
	if err != nil {
		return manage.BizHostPage{}, err
	}
	filter, err := parseHostKeyword(req.Keyword)
	if err != nil {
		return manage.BizHostPage{}, err
	}
	rows, total, err := s.hs.page(ctx, req.BizID, filter, req.Start, length)
	if err != nil {
		return manage.BizHostPage{}, err
	}
	page := manage.BizHostPage{Start: req.Start, Total: int(total), Length: length, Data: make([]manage.BizHost, 0, len(rows))}
	for _, r := range rows {
		page.Data = append(page.Data, s.bizHost(r))
	}
	return page, nil
}

// cloudKeyword is "cloud:rest", as operators copy hosts.
var cloudKeyword = regexp.MustCompile(`^(\d{1,9}):(.*)$`)

// parseHostKeyword reads list_biz_hosts' keyword (see the request's doc).
func parseHostKeyword(raw string) (hostFilter, error) {
	kw := strings.TrimSpace(raw)
	switch {
	case len(kw) > manage.MaxHostKeywordLen:
		return hostFilter{}, errs.Invalid("keyword", "at most %d characters, got %d", manage.MaxHostKeywordLen, len(kw))
	case strings.IndexFunc(kw, unicode.IsControl) >= 0:
		return hostFilter{}, errs.Invalid("keyword", "must not contain control characters")
	}
	var f hostFilter
	if m := cloudKeyword.FindStringSubmatch(kw); m != nil {
		cloud, _ := strconv.ParseInt(m[1], 10, 64) // nine digits at most: always fits
		f.Cloud, kw = &cloud, m[2]
	}
	f.Text = kw
	if id, err := strconv.ParseInt(kw, 10, 64); err == nil && id > 0 && f.Cloud == nil {
		f.ID = id
	}
	return f, nil
}

// CheckHosts implements manage.BizHosts: two reads per 500 distinct
// entries, whatever the list's size up to manage.MaxCheckHosts.
func (s *Service) CheckHosts(ctx context.Context, req manage.CheckHostsRequest) (manage.HostCheck, error) {
	if req.BizID <= 0 {
		return manage.HostCheck{}, errs.Required("bk_scope_id")
	}
	ids, ips, err := checkHostList(req)
	if err != nil {
		return manage.HostCheck{}, err
	}
	byID, err := s.hs.byID(ctx, req.BizID, ids)
	if err != nil {
		return manage.HostCheck{}, err
	}
	byIP, err := s.hs.byIP(ctx, req.BizID, ips)
	if err != nil {
		return manage.HostCheck{}, err
	}
	out := manage.HostCheck{Checked: len(ids) + len(ips), UnknownHostIDList: []int64{}, UnknownIPList: []manage.HostIP{}, OfflineHostList: []manage.BizHost{}}
	offline := map[int64]bool{}
	known := func(r bizHostRow) {
		out.Known++
		if h := s.bizHost(r); !offline[r.ID] && (h.AgentStatus == manage.AgentOffline || h.AgentStatus == manage.AgentNeverSeen) {
			offline[r.ID] = true
			out.OfflineHostList = append(out.OfflineHostList, h)
		}
	}
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			known(r)
		} else {
			out.UnknownHostIDList = append(out.UnknownHostIDList, id)
		}
	}
	for _, ip := range ips {
		if r, ok := byIP[ip]; ok {
			known(r)
		} else {
			out.UnknownIPList = append(out.UnknownIPList, ip)
		}
	}
	return out, nil
}

// checkHostList checks check_hosts' lists and returns their distinct
// entries in request order. Errors name the entry at fault.
func checkHostList(req manage.CheckHostsRequest) ([]int64, []manage.HostIP, error) {
	switch n := len(req.HostIDList) + len(req.IPList); {
	case n == 0:
		return nil, nil, errs.Required("host_id_list").Withf("is required: give host_id_list or ip_list")
	case n > manage.MaxCheckHosts:
		field := "ip_list"
		if len(req.HostIDList) > len(req.IPList) {
			field = "host_id_list"
		}
		return nil, nil, errs.Invalid(field, "host_id_list and ip_list hold at most %d hosts together, got %d", manage.MaxCheckHosts, n)
	}
	ids := make([]int64, 0, len(req.HostIDList))
	seenID := map[int64]bool{}
	for i, id := range req.HostIDList {
		if id <= 0 {
			return nil, nil, errs.Invalid(fmt.Sprintf("host_id_list[%d]", i), "must be a positive host id, got %d", id)
		}
		if !seenID[id] {
			seenID[id] = true
			ids = append(ids, id)
		}
	}
	ips := make([]manage.HostIP, 0, len(req.IPList))
	seenIP := map[manage.HostIP]bool{}
	for i, ip := range req.IPList {
		if ip.CloudID < 0 {
			return nil, nil, errs.Invalid(fmt.Sprintf("ip_list[%d].bk_cloud_id", i), "must not be negative, got %d", ip.CloudID)
		}
		addr, err := checkIPv4(ip.IP)
		if err != nil || addr != strings.TrimSpace(ip.IP) {
			return nil, nil, errs.Invalid(fmt.Sprintf("ip_list[%d].ip", i), "must be an IPv4 address, got %q", ip.IP)
		}
		key := manage.HostIP{CloudID: ip.CloudID, IP: addr}
		if !seenIP[key] {
			seenIP[key] = true
			ips = append(ips, key)
		}
	}
	return ids, ips, nil
}

// bizHost is a row as the selector shows it. Agent state is the host
// row's as the built-in hub last wrote it (the agents page reads the
// same); under GSE 2.0 only GSE knows it.
func (s *Service) bizHost(r bizHostRow) manage.BizHost {
	h := manage.BizHost{HostID: r.ID, CloudID: r.CloudID, IP: r.IP, Hostname: r.Hostname, OS: r.OS,
		Transport: manage.TransportAgent, LastSeen: millis(r.LastSeen)}
	switch {
	case r.SSHAddr != "":
		h.Transport, h.AgentStatus = manage.TransportSSH, manage.AgentNone
	case s.gseHosts:
		h.AgentStatus = manage.AgentUnknown
	case r.AgentID != nil && r.Alive:
		h.AgentStatus = manage.AgentOnline
	case r.LastSeen != nil:
		h.AgentStatus = manage.AgentOffline
	default:
		h.AgentStatus = manage.AgentNeverSeen
	}
	return h
}
