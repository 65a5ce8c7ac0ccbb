package manageimpl

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/modules/manage"
)

// hostStore reads the host table (schemas 0010, 0015) for the host
// selector. The gse hub writes it; manage only reads here.
type hostStore struct{ db *gorm.DB }

// bizHostRow is a host row as the selector needs it.
type bizHostRow struct {
	ID       int64      `gorm:"column:id"`
	CloudID  int64      `gorm:"column:cloud_id"`
	IP       string     `gorm:"column:ip"`
	Hostname string     `gorm:"column:hostname"`
	OS       string     `gorm:"column:os"`
	AgentID  *string    `gorm:"column:agent_id"`
	Alive    bool       `gorm:"column:alive"`
	LastSeen *time.Time `gorm:"column:last_seen"`
	SSHAddr  string     `gorm:"column:ssh_addr"`
}

const bizHostColumns = "id, cloud_id, ip, hostname, os, agent_id, alive, last_seen, ssh_addr"

// hostChunk bounds one IN (...) list, as the engine's resolver does.
const hostChunk = 500

// hostFilter is a parsed list_biz_hosts keyword: hosts whose IP or host
// name contains Text, or whose id is ID (when > 0), within cloud area
// Cloud when it is set.
type hostFilter struct {
	Text  string
	ID    int64
	Cloud *int64
}

// scopeBizIDs are the businesses whose host rows bizID may target: its
// own, those of no business yet (biz_id 0) and, for a business set, its
// members' (schema 0140), exactly as executeimpl.DBHosts resolves them.
// Read once per call, so each host query stays a plain biz_id IN (…).
func (s hostStore) scopeBizIDs(ctx context.Context, bizID int64) ([]int64, error) {
	var members []int64
	if err := s.db.WithContext(ctx).Table("biz_set_member").Where("set_id = ?", bizID).Pluck("biz_id", &members).Error; err != nil {
		return nil, fmt.Errorf("read members of business set %d: %w", bizID, err)
	}
	return append([]int64{bizID, 0}, members...), nil
}

// ofBiz keeps the rows of the businesses scopeBizIDs returned.
func (s hostStore) ofBiz(ctx context.Context, scope []int64) *gorm.DB {
	return s.db.WithContext(ctx).Table("host").Where("biz_id IN ?", scope)
}

// page returns one page of the business's hosts by id, and how many match.
func (s hostStore) page(ctx context.Context, bizID int64, f hostFilter, start, length int) ([]bizHostRow, int64, error) {
	scope, err := s.scopeBizIDs(ctx, bizID)
	if err != nil {
		return nil, 0, err
	}
	query := func() *gorm.DB {
		q := s.ofBiz(ctx, scope)
		if f.Cloud != nil {
			q = q.Where("cloud_id = ?", *f.Cloud)
		}
		if f.Text != "" {
			// '!' escapes LIKE's wildcards the same way on SQLite and MySQL.
			like := "%" + likeEscaper.Replace(f.Text) + "%"
			if f.ID > 0 {
				q = q.Where("(ip LIKE ? ESCAPE '!' OR hostname LIKE ? ESCAPE '!' OR id = ?)", like, like, f.ID)
			} else {
				q = q.Where("(ip LIKE ? ESCAPE '!' OR hostname LIKE ? ESCAPE '!')", like, like)
			}
		}
		return q
	}
	var total int64
	if err := query().Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count hosts of business %d: %w", bizID, err)
	}
	var rows []bizHostRow
	if err := query().Select(bizHostColumns).Order("id").Offset(start).Limit(length).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list hosts of business %d: %w", bizID, err)
	}
	return rows, total, nil
}

var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// byID returns the business's hosts among ids, by id.
func (s hostStore) byID(ctx context.Context, bizID int64, ids []int64) (map[int64]bizHostRow, error) {
	scope, err := s.scopeBizIDs(ctx, bizID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bizHostRow, len(ids))
	for start := 0; start < len(ids); start += hostChunk {
		var rows []bizHostRow
		part := ids[start:min(start+hostChunk, len(ids))]
		if err := s.ofBiz(ctx, scope).Select(bizHostColumns).Where("id IN ?", part).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("find hosts of business %d by id: %w", bizID, err)
		}
		for _, r := range rows {
			out[r.ID] = r
		}
	}
	return out, nil
}

// byIP returns the business's hosts among ips, by (cloud area, ip).
func (s hostStore) byIP(ctx context.Context, bizID int64, ips []manage.HostIP) (map[manage.HostIP]bizHostRow, error) {
	scope, err := s.scopeBizIDs(ctx, bizID)
	if err != nil {
		return nil, err
	}
	out := make(map[manage.HostIP]bizHostRow, len(ips))
	for start := 0; start < len(ips); start += hostChunk {
		part := ips[start:min(start+hostChunk, len(ips))]
		list := make([]string, 0, len(part))
		for _, ip := range part {
			list = append(list, ip.IP)
		}
		var rows []bizHostRow
		if err := s.ofBiz(ctx, scope).Select(bizHostColumns).Where("ip IN ?", list).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("find hosts of business %d by ip: %w", bizID, err)
		}
		for _, r := range rows {
			out[manage.HostIP{CloudID: r.CloudID, IP: r.IP}] = r
		}
	}
	return out, nil
}
