package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// credential is one row of the credential table (schema 0055). Value is the
// sealed JSON of the secrets, never plain.
type credential struct {
	ID             int64 `gorm:"primaryKey"`
	BizID          int64
	Name           string
	Type           int
	Description    string
	Value          string
	Creator        string
	LastModifyUser string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (credential) TableName() string { return "credential" }

// agentlessHost is the part of a `host` row (schema 0010 + 0015, owned by
// gse) an agentless registration writes and reads.
type agentlessHost struct {
	ID           int64 `gorm:"primaryKey"`
	BizID        int64
	CloudID      int64
	IP           string  `gorm:"column:ip"`
	AgentID      *string `gorm:"column:agent_id"`
	SSHAddr      string  `gorm:"column:ssh_addr"`
	SSHUser      string  `gorm:"column:ssh_user"`
	CredentialID int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (agentlessHost) TableName() string { return "host" }

// credentialStore is the persistence of credentials and agentless hosts.
type credentialStore interface {
	insertCredential(ctx context.Context, c *credential) error
	credentialByID(ctx context.Context, bizID, id int64) (credential, error)
	// credentialAnyBiz finds a credential whatever its business (for the
	// gse role, which knows only the id a host row names).
	credentialAnyBiz(ctx context.Context, id int64) (credential, error)
	updateCredential(ctx context.Context, bizID, id int64, set map[string]any) error
	hostExists(ctx context.Context, cloudID int64, ip string) (bool, error)
	insertAgentlessHost(ctx context.Context, h *agentlessHost) error
	agentlessHosts(ctx context.Context, bizID int64, start, length int) ([]agentlessHost, int64, error)
}

var _ credentialStore = gormStore{}

func (s gormStore) insertCredential(ctx context.Context, c *credential) error {
	if err := s.db.WithContext(ctx).Create(c).Error; err != nil {
		return fmt.Errorf("insert credential %q: %w", c.Name, err)
	}
	return nil
}

func (s gormStore) credentialByID(ctx context.Context, bizID, id int64) (credential, error) {
	var c credential
	err := s.db.WithContext(ctx).Where("biz_id = ? AND id = ?", bizID, id).Take(&c).Error
	return c, norows(err)
}

func (s gormStore) credentialAnyBiz(ctx context.Context, id int64) (credential, error) {
	var c credential
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&c).Error
	return c, norows(err)
}

func (s gormStore) updateCredential(ctx context.Context, bizID, id int64, set map[string]any) error {
	res := s.db.WithContext(ctx).Model(&credential{}).Where("biz_id = ? AND id = ?", bizID, id).Updates(set)
	if res.Error != nil {
		return fmt.Errorf("update credential %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return errNoRow
	}
	return nil
}

func (s gormStore) hostExists(ctx context.Context, cloudID int64, ip string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Table("host").Where("cloud_id = ? AND ip = ?", cloudID, ip).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("find host %d:%s: %w", cloudID, ip, err)
	}
	return n > 0, nil
}

func (s gormStore) insertAgentlessHost(ctx context.Context, h *agentlessHost) error {
	if err := s.db.WithContext(ctx).Create(h).Error; err != nil {
		return fmt.Errorf("insert host %d:%s: %w", h.CloudID, h.IP, err)
	}
	return nil
}

func (s gormStore) agentlessHosts(ctx context.Context, bizID int64, start, length int) ([]agentlessHost, int64, error) {
	query := func() *gorm.DB {
		return s.db.WithContext(ctx).Model(&agentlessHost{}).Where("biz_id = ? AND ssh_addr <> ''", bizID)
	}
	var total int64
	if err := query().Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count agentless hosts: %w", err)
	}
	var rows []agentlessHost
	if err := query().Order("id").Offset(start).Limit(length).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list agentless hosts: %w", err)
	}
	return rows, total, nil
}

// isNoRow reports the store's not-found.
func isNoRow(err error) bool { return errors.Is(err, errNoRow) }
