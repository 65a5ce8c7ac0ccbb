package manageimpl

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// agentStore reads agents from agent_credential and host (schemas 0010,
// 0070); revocation goes through the hub's registry, the one place its
// rules live.
type agentStore struct{ db *gorm.DB }

// agentRow is one agent with its host as far as the host row still names it.
type agentRow struct {
	AgentID     string     `gorm:"column:agent_id"`
	HostID      int64      `gorm:"column:host_id"`
	BizID       int64      `gorm:"column:biz_id"`
	CloudID     *int64     `gorm:"column:cloud_id"`
	IP          *string    `gorm:"column:ip"`
	HostAgent   *string    `gorm:"column:host_agent"`
	Alive       *bool      `gorm:"column:alive"`
	LastSeen    *time.Time `gorm:"column:last_seen"`
	EnrolledAt  *time.Time `gorm:"column:enrolled_at"`
	ConfirmedAt *time.Time `gorm:"column:confirmed_at"`
	RevokedAt   *time.Time `gorm:"column:revoked_at"`
	RevokedBy   string     `gorm:"column:revoked_by"`
}

// agents lists a business's agents (one agent when agentID is set): those
// holding a credential, and those from before credentials (an agent id on
// a host row and no credential yet).
func (s agentStore) agents(ctx context.Context, bizID int64, agentID string) ([]agentRow, error) {
	var enrolled, legacy []agentRow
	q := s.db.WithContext(ctx).Table("agent_credential AS c").
		Select("c.agent_id, c.host_id, c.biz_id, h.cloud_id, h.ip, h.agent_id AS host_agent, h.alive, h.last_seen, c.enrolled_at, c.confirmed_at, c.revoked_at, c.revoked_by").
		Joins("LEFT JOIN host h ON h.id = c.host_id").Where("c.biz_id = ?", bizID)
	if agentID != "" {
		q = q.Where("c.agent_id = ?", agentID)
	}
	if err := q.Scan(&enrolled).Error; err != nil {
		return nil, fmt.Errorf("list agents of business %d: %w", bizID, err)
	}
	q = s.db.WithContext(ctx).Table("host AS h").
		Select("h.agent_id, h.id AS host_id, h.biz_id, h.cloud_id, h.ip, h.agent_id AS host_agent, h.alive, h.last_seen").
		Where("h.biz_id = ? AND h.agent_id IS NOT NULL", bizID).
		Where("NOT EXISTS (SELECT 1 FROM agent_credential c WHERE c.agent_id = h.agent_id)")
	if agentID != "" {
		q = q.Where("h.agent_id = ?", agentID)
	}
	if err := q.Scan(&legacy).Error; err != nil {
		return nil, fmt.Errorf("list agents of business %d: %w", bizID, err)
	}
	rows := append(enrolled, legacy...)
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].HostID != rows[j].HostID {
			return rows[i].HostID < rows[j].HostID
		}
		return rows[i].AgentID < rows[j].AgentID
	})
	return rows, nil
}

// ListAgents implements manage.Agents.
func (s *Service) ListAgents(ctx context.Context, req manage.ListAgentsRequest) (manage.AgentPage, error) {
	if req.BizID <= 0 {
		return manage.AgentPage{}, errs.Required("bk_scope_id")
	}
	length, err := pageLength(req.Start, req.Length)
	if err != nil {
		return manage.AgentPage{}, err
	}
	keyword, err := checkFilter("keyword", req.Keyword)
	if err != nil {
		return manage.AgentPage{}, err
	}
	rows, err := s.ag.agents(ctx, req.BizID, "")
	if err != nil {
		return manage.AgentPage{}, err
	}
	rows = matchAgents(rows, keyword)
	page := manage.AgentPage{Start: req.Start, Total: len(rows), Length: length, Data: []manage.Agent{}}
	for i := req.Start; i < len(rows) && i < req.Start+length; i++ {
		page.Data = append(page.Data, toAgent(rows[i]))
	}
	return page, nil
}

// RevokeAgent implements manage.Agents.
func (s *Service) RevokeAgent(ctx context.Context, req manage.RevokeAgentRequest) (manage.Agent, error) {
	if req.BizID <= 0 {
		return manage.Agent{}, errs.Required("bk_scope_id")
	}
	id := strings.TrimSpace(req.AgentID)
	if id == "" {
		return manage.Agent{}, errs.Required("bk_agent_id")
	}
	rows, err := s.ag.agents(ctx, req.BizID, id)
	if err != nil {
		return manage.Agent{}, err
	}
	if len(rows) == 0 {
		return manage.Agent{}, manage.ErrAgentNotFound.Withf("no agent %q in business %d", id, req.BizID).OnField("bk_agent_id")
	}
	if _, err := hub.NewRegistry(s.ag.db).Revoke(ctx, id, req.Operator); err != nil {
		return manage.Agent{}, err
	}
	s.log.Warn("agent revoked", "agent_id", id, "biz_id", req.BizID, "host_id", rows[0].HostID, "operator", req.Operator)
	if rows, err = s.ag.agents(ctx, req.BizID, id); err != nil || len(rows) == 0 {
		return manage.Agent{}, fmt.Errorf("read revoked agent %s: %w", id, err)
	}
	return toAgent(rows[0]), nil
}

// matchAgents keeps the rows whose IP or agent id contains keyword, case
// ignored. The list is already in memory (agents merges two queries), so
// the filter runs here rather than in both.
func matchAgents(rows []agentRow, keyword string) []agentRow {
	if keyword == "" {
		return rows
	}
	k := strings.ToLower(keyword)
	kept := rows[:0]
	for _, r := range rows {
		a := toAgent(r)
		if strings.Contains(strings.ToLower(a.AgentID), k) || strings.Contains(a.IP, k) {
			kept = append(kept, r)
		}
	}
	return kept
}

func toAgent(r agentRow) manage.Agent {
	a := manage.Agent{AgentID: r.AgentID, HostID: r.HostID, BizID: r.BizID, EnrolledAt: millis(r.EnrolledAt), ConfirmedAt: millis(r.ConfirmedAt),
		Revoked: r.RevokedAt != nil, RevokedAt: millis(r.RevokedAt), RevokedBy: r.RevokedBy}
	// Host facts count while the host row still names this agent.
	if r.HostAgent != nil && *r.HostAgent == r.AgentID {
		if r.CloudID != nil {
			a.CloudID = *r.CloudID
		}
		if r.IP != nil {
			a.IP = *r.IP
		}
		a.Alive = r.Alive != nil && *r.Alive && !a.Revoked
		a.LastSeen = millis(r.LastSeen)
	} else if r.IP != nil {
		a.IP = *r.IP
	}
	return a
}

func millis(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixMilli()
}
