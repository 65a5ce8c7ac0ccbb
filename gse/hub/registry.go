package hub

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// HostRecord is one row of the host table (schema 0010_hosts).
type HostRecord struct {
	ID           int64      `gorm:"column:id;primaryKey;autoIncrement"`
	BizID        int64      `gorm:"column:biz_id"`
	CloudID      int64      `gorm:"column:cloud_id"`
	IP           string     `gorm:"column:ip"`
	IPv6         string     `gorm:"column:ipv6"` // comma-separated
	AgentID      *string    `gorm:"column:agent_id"`
	Hostname     string     `gorm:"column:hostname"`
	OS           string     `gorm:"column:os"`
	OSType       string     `gorm:"column:os_type"` // CMDB bk_os_type: 1 Linux, 2 Windows, ...
	Arch         string     `gorm:"column:arch"`
	AgentVersion string     `gorm:"column:agent_version"`
	Alive        bool       `gorm:"column:alive"`
	LastSeen     *time.Time `gorm:"column:last_seen"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
	UpdatedAt    time.Time  `gorm:"column:updated_at"`
}

// TableName is the host table.
func (HostRecord) TableName() string { return "host" }

// Agent returns the agent id, "" when the host has none.
func (h *HostRecord) Agent() string {
	if h.AgentID == nil {
		return ""
	}
	return *h.AgentID
}

// ErrAddressInUse means another connected agent holds the (cloud, ip).
var ErrAddressInUse = errors.New("another connected agent holds this address")

// Registration is what an agent tells about its host.
type Registration struct {
	AgentID  string
	BizID    int64 // used when the host is new
	CloudID  int64
	IP       string
	IPv6     []string
	Hostname string
	OS       string // runtime.GOOS
	Arch     string
	Version  string
}

// Registry keeps the host table.
type Registry struct {
	db *gorm.DB
}

// NewRegistry uses db, migrated with schema 0010_hosts.
func NewRegistry(db *gorm.DB) *Registry { return &Registry{db: db} }

// Register records an agent's host and returns it. The host is found by
// (cloud, ip) first, then by agent id (the agent moved to a new address).
// When (cloud, ip) belongs to another agent, inUse says whether that agent
// is connected: then registration fails with ErrAddressInUse, otherwise the
// newcomer takes the host over (a reinstalled agent with a new id).
func (r *Registry) Register(ctx context.Context, reg Registration, inUse func(hostID int64) bool) (HostRecord, error) {
	var out HostRecord
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := time.Now().UTC()
		byAddr, err := first(tx.Where("cloud_id = ? AND ip = ?", reg.CloudID, reg.IP))
		if err != nil {
			return err
		}
		byAgent, err := first(tx.Where("agent_id = ?", reg.AgentID))
		if err != nil {
			return err
		}
		row := byAddr
		switch {
		case byAddr != nil && byAddr.Agent() != "" && byAddr.Agent() != reg.AgentID && inUse(byAddr.ID):
			return fmt.Errorf("register %d:%s: %w", reg.CloudID, reg.IP, ErrAddressInUse)
		case byAddr != nil && byAgent != nil && byAgent.ID != byAddr.ID:
			// The agent moved onto an address another row holds: free its old row.
			if err := tx.Model(&HostRecord{}).Where("id = ?", byAgent.ID).
				Updates(map[string]any{"agent_id": nil, "alive": false, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("release host %d: %w", byAgent.ID, err)
			}
		case byAddr == nil && byAgent != nil:
			row = byAgent
		}
		agentID := reg.AgentID
		fields := HostRecord{
			CloudID: reg.CloudID, IP: reg.IP, IPv6: strings.Join(reg.IPv6, ","), AgentID: &agentID,
			Hostname: reg.Hostname, OS: reg.OS, OSType: osType(reg.OS), Arch: reg.Arch, AgentVersion: reg.Version,
			Alive: true, LastSeen: &now, UpdatedAt: now,
		}
		if row == nil {
			fields.BizID, fields.CreatedAt = reg.BizID, now
			if err := tx.Create(&fields).Error; err != nil {
				return fmt.Errorf("insert host %d:%s: %w", reg.CloudID, reg.IP, err)
			}
			out = fields
			return nil
		}
		err = tx.Model(&HostRecord{}).Where("id = ?", row.ID).Updates(map[string]any{
			"cloud_id": fields.CloudID, "ip": fields.IP, "ipv6": fields.IPv6, "agent_id": agentID,
			"hostname": fields.Hostname, "os": fields.OS, "os_type": fields.OSType, "arch": fields.Arch,
			"agent_version": fields.AgentVersion, "alive": true, "last_seen": now, "updated_at": now,
		}).Error
		if err != nil {
			return fmt.Errorf("update host %d: %w", row.ID, err)
		}
		fields.ID, fields.BizID, fields.CreatedAt = row.ID, row.BizID, row.CreatedAt
		out = fields
		return nil
	})
	return out, err
}

func first(q *gorm.DB) (*HostRecord, error) {
	var rows []HostRecord
	if err := q.Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("find host: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// Get returns host id; found is false when there is no such host.
func (r *Registry) Get(ctx context.Context, id int64) (HostRecord, bool, error) {
	h, err := first(r.db.WithContext(ctx).Where("id = ?", id))
	if err != nil || h == nil {
		return HostRecord{}, false, err
	}
	return *h, true, nil
}

// ByAddress returns the host (cloud, ip).
func (r *Registry) ByAddress(ctx context.Context, cloudID int64, ip string) (HostRecord, bool, error) {
	h, err := first(r.db.WithContext(ctx).Where("cloud_id = ? AND ip = ?", cloudID, ip))
	if err != nil || h == nil {
		return HostRecord{}, false, err
	}
	return *h, true, nil
}

// List returns the hosts of a business (all when bizID is 0), by id.
func (r *Registry) List(ctx context.Context, bizID int64) ([]HostRecord, error) {
	q := r.db.WithContext(ctx).Order("id")
	if bizID != 0 {
		q = q.Where("biz_id = ?", bizID)
	}
	var rows []HostRecord
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list hosts: %w", err)
	}
	return rows, nil
}

// SetAlive records hosts as alive (seen now) or offline.
func (r *Registry) SetAlive(ctx context.Context, ids []int64, alive bool) error {
	if len(ids) == 0 {
		return nil
	}
	now := time.Now().UTC()
	up := map[string]any{"alive": alive, "updated_at": now}
	if alive {
		up["last_seen"] = now
	}
	if err := r.db.WithContext(ctx).Model(&HostRecord{}).Where("id IN ?", ids).Updates(up).Error; err != nil {
		return fmt.Errorf("mark %d hosts alive=%t: %w", len(ids), alive, err)
	}
	return nil
}

// osType maps runtime.GOOS to CMDB's bk_os_type.
func osType(goos string) string {
	switch goos {
	case "linux":
		return "1"
	case "windows":
		return "2"
	case "aix":
		return "3"
	case "solaris", "illumos":
		return "5"
	case "freebsd":
		return "7"
	case "darwin":
		return "8"
	default:
		return ""
	}
}
