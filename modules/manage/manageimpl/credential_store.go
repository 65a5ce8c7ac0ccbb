package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// credential is one row of the credential table (schema 0055, its id made
// bk-job's 32-hex string and (biz_id, name) unique by 0090). Value is the
// sealed JSON of the secrets, never plain.
type credential struct {
	ID             string `gorm:"primaryKey"`
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
	CredentialID string  // a credential id; "" on agent hosts (schema 0090)
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (agentlessHost) TableName() string { return "host" }

// credentialStore is the persistence of credentials and agentless hosts.
type credentialStore interface {
	// insertCredential and updateCredential fail with errNameTaken when the
	// business has another credential of the name.
	insertCredential(ctx context.Context, c *credential) error
	credentialByID(ctx context.Context, bizID int64, id string) (credential, error)
	// credentialAnyBiz finds a credential whatever its business (for the
	// gse role, which knows only the id a host row names).
	credentialAnyBiz(ctx context.Context, id string) (credential, error)
	updateCredential(ctx context.Context, bizID int64, id string, set map[string]any) error
	hostExists(ctx context.Context, cloudID int64, ip string) (bool, error)
	insertAgentlessHost(ctx context.Context, h *agentlessHost) error
	agentlessHosts(ctx context.Context, bizID int64, start, length int) ([]agentlessHost, int64, error)
	credentials(ctx context.Context, bizID int64, name string, start, length int) ([]credential, int64, error)
	// deleteCredential fails with errInUse while a host names the credential.
	deleteCredential(ctx context.Context, bizID int64, id string) error
}

var _ credentialStore = gormStore{}

func (s gormStore) insertCredential(ctx context.Context, c *credential) error {
	err := s.db.WithContext(ctx).Create(c).Error
	if err != nil && s.nameTaken(ctx, err, c.BizID, c.Name, c.ID) {
		return errNameTaken
	}
	if err != nil {
		return fmt.Errorf("insert credential %q: %w", c.Name, err)
	}
	return nil
}

// nameTaken reports whether err is the unique index on (biz_id, name)
// refusing name: a duplicate-key error while another credential than id
// holds the name. (The index is the guard, so two concurrent writes of one
// name cannot both pass; the look-up only tells that key from the primary
// key.)
func (s gormStore) nameTaken(ctx context.Context, err error, bizID int64, name, id string) bool {
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		return false
	}
	var n int64
	if cerr := s.db.WithContext(ctx).Model(&credential{}).
		Where("biz_id = ? AND name = ? AND id <> ?", bizID, name, id).Count(&n).Error; cerr != nil {
		return false
	}
	return n > 0
}

func (s gormStore) credentialByID(ctx context.Context, bizID int64, id string) (credential, error) {
	var c credential
	err := s.db.WithContext(ctx).Where("biz_id = ? AND id = ?", bizID, id).Take(&c).Error
	return c, norows(err)
}

func (s gormStore) credentialAnyBiz(ctx context.Context, id string) (credential, error) {
	var c credential
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&c).Error
	return c, norows(err)
}

func (s gormStore) updateCredential(ctx context.Context, bizID int64, id string, set map[string]any) error {
	res := s.db.WithContext(ctx).Model(&credential{}).Where("biz_id = ? AND id = ?", bizID, id).Updates(set)
	if name, ok := set["name"].(string); ok && res.Error != nil && s.nameTaken(ctx, res.Error, bizID, name, id) {
		return errNameTaken
	}
	if res.Error != nil {
		return fmt.Errorf("update credential %s: %w", id, res.Error)
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

// insertAgentlessHost adds h if its credential still exists (errNoRow if
// not). The credential row is read with a lock in the insert's transaction,
// so a delete_credential racing it either waits for the host and then sees
// it, or has deleted the credential and this insert is refused: no host is
// left naming a credential that is gone.
func (s gormStore) insertAgentlessHost(ctx context.Context, h *agentlessHost) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c credential
		err := forUpdate(tx).Select("id").Where("biz_id = ? AND id = ?", h.BizID, h.CredentialID).Take(&c).Error
		if err := norows(err); err != nil {
			return err
		}
		if err := tx.Create(h).Error; err != nil {
			return fmt.Errorf("insert host %d:%s: %w", h.CloudID, h.IP, err)
		}
		return nil
	})
}

// forUpdate makes tx's next read a locking read on MySQL (SELECT … FOR
// UPDATE): it waits for any transaction writing those rows and reads their
// latest committed state, not the transaction's snapshot. SQLite needs no
// clause: a write transaction holds the database's one write lock.
func forUpdate(tx *gorm.DB) *gorm.DB {
	if tx.Dialector.Name() == "mysql" {
		return tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	return tx
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

// errNameTaken is the store's "another credential of the business has
// that name".
var errNameTaken = errors.New("credential name taken")
