package hub

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/text"
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
	SSHAddr      string     `gorm:"column:ssh_addr"` // set for an agentless host (schema 0015)
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

// ErrAddressInUse means the address is held by another agent (connected
// or not: an agent host row is freed only by revoking its agent), or the
// host's own agent is connected and the newcomer has no credential.
var ErrAddressInUse = errors.New("another agent holds this address")

// Registration is what an agent tells about its host.
type Registration struct {
	AgentID  string
	BizID    int64 // the business of the token (enrolment)
	CloudID  int64
	IP       string
	IPv6     []string
	Hostname string
	OS       string // runtime.GOOS
	Arch     string
	Version  string
}

// Registry keeps the host table and the agents' credentials.
type Registry struct {
	db *gorm.DB
}

// NewRegistry uses db, migrated with schemas 0010_hosts, 0015_host_ssh and
// 0070_agent_credential.
func NewRegistry(db *gorm.DB) *Registry { return &Registry{db: db} }

// Enrolled is a host registration and, after a token, the agent's new
// credential (to hand to the agent once; only its hash is stored).
type Enrolled struct {
	Host       HostRecord
	Credential string
}

// Enrol admits an agent by a token of business reg.BizID: its first
// connection, or a legacy agent (an agent id on a host row, no credential
// yet) once. An id issued a credential it never confirmed may enrol again
// only within UnconfirmedEnrolWindow of its enrolment. The host is found by (cloud, ip), then by agent id (a legacy
// agent that moved); a new address gets a new row of the token's business.
// Refused: a confirmed, expired or revoked agent id (ErrNeedsCredential, ErrRevoked),
// another business's row (ErrOtherBusiness), an agentless row
// (ErrAgentlessHost), a row bound to another agent or whose agent is
// connected (ErrAddressInUse). live says whether a host has a connection.
func (r *Registry) Enrol(ctx context.Context, reg Registration, live func(hostID int64) bool) (Enrolled, error) {
	var out Enrolled
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cred, enrolled, err := credential(tx, reg.AgentID)
		if err != nil {
			return err
		}
		switch {
		case enrolled && cred.RevokedAt != nil:
			return ErrRevoked
		case enrolled && cred.ConfirmedAt != nil:
			return ErrNeedsCredential
		case enrolled && time.Since(cred.EnrolledAt) > UnconfirmedEnrolWindow:
			return fmt.Errorf("credential issued %s and never confirmed: %w",
				cred.EnrolledAt.UTC().Format(time.RFC3339), ErrNeedsCredential)
		}
		row, err := enrolRow(tx, reg)
		if err != nil {
			return err
		}
		if row != nil && live(row.ID) {
			return fmt.Errorf("host %d is connected: %w", row.ID, ErrAddressInUse)
		}
		host, err := save(tx, row, reg)
		if err != nil {
			return err
		}
		secret, hash, err := newSecret()
		if err != nil {
			return err
		}
		rec := CredentialRecord{AgentID: reg.AgentID, BizID: host.BizID, HostID: host.ID, SecretSHA256: hash, EnrolledAt: time.Now().UTC()}
		if enrolled {
			// Issued before but never stored by the agent: issue anew. The
			// window keeps counting from the first enrolment.
			err = tx.Model(&CredentialRecord{}).Where("agent_id = ?", rec.AgentID).Updates(map[string]any{
				"biz_id": rec.BizID, "host_id": rec.HostID, "secret_sha256": hash}).Error
		} else {
			err = tx.Create(&rec).Error
		}
		if err != nil {
			return fmt.Errorf("store credential of agent %s: %w", reg.AgentID, err)
		}
		out = Enrolled{Host: host, Credential: secret}
		return nil
	})
	if err != nil {
		return Enrolled{}, fmt.Errorf("enrol agent %s at %d:%s: %w", reg.AgentID, reg.CloudID, reg.IP, err)
	}
	return out, nil
}

// enrolRow is the host row a token enrolment binds to, nil for a new one.
func enrolRow(tx *gorm.DB, reg Registration) (*HostRecord, error) {
	byAddr, err := first(tx.Where("cloud_id = ? AND ip = ?", reg.CloudID, reg.IP))
	if err != nil {
		return nil, err
	}
	byAgent, err := first(tx.Where("agent_id = ?", reg.AgentID))
	if err != nil {
		return nil, err
	}
	row := byAddr
	if row == nil {
		row = byAgent
	}
	switch {
	case row == nil:
		return nil, nil
	case row.SSHAddr != "":
		return nil, fmt.Errorf("host %d: %w", row.ID, ErrAgentlessHost)
	case row.BizID != reg.BizID:
		return nil, fmt.Errorf("host %d of business %d, token of business %d: %w", row.ID, row.BizID, reg.BizID, ErrOtherBusiness)
	case row.Agent() != "" && row.Agent() != reg.AgentID:
		return nil, fmt.Errorf("host %d is bound to agent %s: %w", row.ID, row.Agent(), ErrAddressInUse)
	case byAgent != nil && byAgent.ID != row.ID:
		return nil, fmt.Errorf("agent already holds host %d: %w", byAgent.ID, ErrAddressInUse)
	}
	return row, nil
}

// Reclaim registers a connection that presented cred, the agent's own
// credential: the agent keeps its host row (moving it to a new address
// when that address is free) and its credential counts as stored.
func (r *Registry) Reclaim(ctx context.Context, cred CredentialRecord, reg Registration) (HostRecord, error) {
	var out HostRecord
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := first(tx.Where("id = ?", cred.HostID))
		if err != nil {
			return err
		}
		if row == nil || row.Agent() != cred.AgentID {
			return fmt.Errorf("host %d is no longer the agent's: %w", cred.HostID, ErrRevoked)
		}
		if row.CloudID != reg.CloudID || row.IP != reg.IP {
			byAddr, err := first(tx.Where("cloud_id = ? AND ip = ?", reg.CloudID, reg.IP))
			if err != nil {
				return err
			}
			if byAddr != nil {
				return fmt.Errorf("move host %d onto host %d: %w", row.ID, byAddr.ID, ErrAddressInUse)
			}
		}
		if out, err = save(tx, row, reg); err != nil {
			return err
		}
		if cred.ConfirmedAt == nil {
			return tx.Model(&CredentialRecord{}).Where("agent_id = ?", cred.AgentID).
				Update("confirmed_at", time.Now().UTC()).Error
		}
		return nil
	})
	if err != nil {
		return HostRecord{}, fmt.Errorf("reclaim host of agent %s: %w", reg.AgentID, err)
	}
	return out, nil
}

// save writes reg onto row (a new row of reg.BizID when nil). A row's
// business never changes.
func save(tx *gorm.DB, row *HostRecord, reg Registration) (HostRecord, error) {
	now := time.Now().UTC()
	agentID := reg.AgentID
	fields := HostRecord{
		CloudID: reg.CloudID, IP: reg.IP, IPv6: strings.Join(reg.IPv6, ","), AgentID: &agentID,
		// What an agent says about itself is cut to its column (platform/text).
		Hostname: text.TruncateChars(reg.Hostname, 255), OS: text.TruncateChars(reg.OS, 32), OSType: osType(reg.OS),
		Arch: text.TruncateChars(reg.Arch, 32), AgentVersion: text.TruncateChars(reg.Version, 64),
		Alive: true, LastSeen: &now, UpdatedAt: now,
	}
	if row == nil {
		fields.BizID, fields.CreatedAt = reg.BizID, now
		if err := tx.Create(&fields).Error; err != nil {
			return HostRecord{}, fmt.Errorf("insert host %d:%s: %w", reg.CloudID, reg.IP, err)
		}
		return fields, nil
	}
	err := tx.Model(&HostRecord{}).Where("id = ?", row.ID).Updates(map[string]any{
		"cloud_id": fields.CloudID, "ip": fields.IP, "ipv6": fields.IPv6, "agent_id": agentID,
		"hostname": fields.Hostname, "os": fields.OS, "os_type": fields.OSType, "arch": fields.Arch,
		"agent_version": fields.AgentVersion, "alive": true, "last_seen": now, "updated_at": now,
	}).Error
	if err != nil {
		return HostRecord{}, fmt.Errorf("update host %d: %w", row.ID, err)
	}
	fields.ID, fields.BizID, fields.CreatedAt = row.ID, row.BizID, row.CreatedAt
	return fields, nil
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
