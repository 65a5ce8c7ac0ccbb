package executeimpl

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
)

// ResolvedHost is a target as the resolver found it. Known is false for a
// host id or (cloud, ip) that is not in the business: the engine marks it
// INVALID. Alive is the inventory's last known agent state.
type ResolvedHost struct {
	gse.Host
	IPv6     string `json:"ipv6,omitempty"`
	Hostname string `json:"hostname,omitempty"`
	OS       string `json:"os,omitempty"`
	Known    bool   `json:"known"`
	Alive    bool   `json:"alive"`
}

// HostResolver turns target specs into hosts of a business.
type HostResolver interface {
	// Resolve looks hosts up by id and by (cloud, ip) and returns one entry
	// per distinct input, ids first, in input order. Unknown inputs come back
	// with Known false (an unknown id keeps its id; an unknown ip has id 0).
	Resolve(ctx context.Context, bizID int64, hostIDs []int64, ips []execute.IP) ([]ResolvedHost, error)
}

// DBHosts resolves hosts from the `host` table the gse hub maintains. A
// host with biz_id 0 belongs to no business yet and may be used by any; a
// business set's members' hosts are the set's (scopeBizIDs).
type DBHosts struct {
	DB *gorm.DB
}

var _ HostResolver = (*DBHosts)(nil)

type hostRow struct {
	ID       int64
	BizID    int64
	CloudID  int64
	IP       string `gorm:"column:ip"`
	IPv6     string `gorm:"column:ipv6"`
	AgentID  string
	Hostname string
	OS       string `gorm:"column:os"`
	Alive    bool
	// Agentless hosts (schema 0015): reached over SSH when SSHAddr is set.
	SSHAddr      string `gorm:"column:ssh_addr"`
	SSHUser      string `gorm:"column:ssh_user"`
	CredentialID string `gorm:"column:credential_id"` // 32 hex digits since schema 0090
}

// hostColumns reads agent_id NULL (no agent) as empty.
const hostColumns = "id, biz_id, cloud_id, ip, ipv6, COALESCE(agent_id, '') AS agent_id, hostname, os, alive, " +
	"ssh_addr, ssh_user, credential_id"

// resolveChunk bounds the size of one IN (...) list.
const resolveChunk = 500

// Resolve implements HostResolver.
func (h *DBHosts) Resolve(ctx context.Context, bizID int64, hostIDs []int64, ips []execute.IP) ([]ResolvedHost, error) {
	byID := map[int64]hostRow{}
	for start := 0; start < len(hostIDs); start += resolveChunk {
		part := hostIDs[start:min(start+resolveChunk, len(hostIDs))]
		var rows []hostRow
		err := h.DB.WithContext(ctx).Table("host").
			Select(hostColumns).
			Where("id IN ?", part).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("resolve hosts by id: %w", err)
		}
		for _, r := range rows {
			byID[r.ID] = r
		}
	}
	byIP := map[execute.IP]hostRow{}
	for start := 0; start < len(ips); start += resolveChunk {
		part := ips[start:min(start+resolveChunk, len(ips))]
		list := make([]string, 0, len(part))
		for _, ip := range part {
			list = append(list, ip.IP)
		}
		var rows []hostRow
		err := h.DB.WithContext(ctx).Table("host").
			Select(hostColumns).
			Where("ip IN ?", list).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("resolve hosts by ip: %w", err)
		}
		for _, r := range rows {
			byIP[execute.IP{CloudID: r.CloudID, IP: r.IP}] = r
		}
	}
	scope, err := h.scopeBizIDs(ctx, bizID)
	if err != nil {
		return nil, err
	}
	inBiz := func(r hostRow) bool { return scope[r.BizID] }
	out := make([]ResolvedHost, 0, len(hostIDs)+len(ips))
	for _, id := range hostIDs {
		r, ok := byID[id]
		if !ok || !inBiz(r) {
			out = append(out, ResolvedHost{Host: gse.Host{ID: id}})
			continue
		}
		out = append(out, r.resolved())
	}
	for _, ip := range ips {
		r, ok := byIP[ip]
		if !ok || !inBiz(r) {
			out = append(out, ResolvedHost{Host: gse.Host{CloudID: ip.CloudID, IP: ip.IP}})
			continue
		}
		out = append(out, r.resolved())
	}
	return out, nil
}

// scopeBizIDs are the businesses whose hosts bizID may target: itself, no
// business yet (0) and, when bizID is a business set, its members
// (biz_set_member, schema 0140: a set's hosts are the union of its
// members'). manage's list_biz_hosts and check_hosts read the same rows.
func (h *DBHosts) scopeBizIDs(ctx context.Context, bizID int64) (map[int64]bool, error) {
	var members []int64
	if err := h.DB.WithContext(ctx).Table("biz_set_member").Where("set_id = ?", bizID).Pluck("biz_id", &members).Error; err != nil {
		return nil, fmt.Errorf("read members of business set %d: %w", bizID, err)
	}
	out := map[int64]bool{0: true, bizID: true}
	for _, id := range members {
		out[id] = true
	}
	return out, nil
}

// resolved is the row as a target. An agentless host carries its SSH
// endpoint and counts as alive: the SSH transport probes it at dispatch.
func (r hostRow) resolved() ResolvedHost {
	h := gse.Host{ID: r.ID, CloudID: r.CloudID, IP: r.IP, AgentID: r.AgentID}
	if r.SSHAddr != "" {
		h.SSH = &gse.SSHEndpoint{Addr: r.SSHAddr, User: r.SSHUser, CredentialID: r.CredentialID}
	}
	return ResolvedHost{
		Host:     h,
		IPv6:     r.IPv6,
		Hostname: r.Hostname,
		OS:       r.OS,
		Known:    true,
		Alive:    r.Alive || r.SSHAddr != "",
	}
}
