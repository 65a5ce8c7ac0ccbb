package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// application is a business (bk-job's scope mapped to an app id).
type application struct {
	ID        int64 `gorm:"primaryKey"`
	ScopeType string
	ScopeID   string
	Name      string
	Timezone  string
	Language  string
	IsDeleted bool
	// Maintainers, Creator, LastModifyUser: schema 0140 (scope_admin.go).
	Maintainers    string
	Creator        string
	LastModifyUser string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (application) TableName() string { return "application" }

// account is an execution account. Password fields hold sealed values only.
type account struct {
	ID                int64 `gorm:"primaryKey"`
	BizID             int64
	Account           string
	Alias             string
	Category          int
	Type              int
	OS                string `gorm:"column:os"`
	Password          string
	DBPassword        string `gorm:"column:db_password"`
	DBPort            int    `gorm:"column:db_port"`
	DBSystemAccountID int64  `gorm:"column:db_system_account_id"`
	Remark            string
	Creator           string
	LastModifyUser    string
	Builtin           bool // schema 0110: root, cannot be deleted or renamed
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (account) TableName() string { return "account" }

// store is the persistence manage needs; gormStore is the only one, the
// interface keeps the service testable and its queries in one place.
type store interface {
	scopeByID(ctx context.Context, scopeType, scopeID string) (application, error)
	accountByID(ctx context.Context, bizID, id int64) (account, error)
	accountByAlias(ctx context.Context, bizID int64, alias string) (account, error)
	ensureApplication(ctx context.Context, app application) (application, error)
	ensureAccount(ctx context.Context, acc account) error
}

var errNoRow = errors.New("no row")

type gormStore struct{ db *gorm.DB }

func (s gormStore) scopeByID(ctx context.Context, scopeType, scopeID string) (application, error) {
	var app application
	err := s.db.WithContext(ctx).Where("scope_type = ? AND scope_id = ? AND is_deleted = ?", scopeType, scopeID, false).Take(&app).Error
	return app, norows(err)
}

func (s gormStore) accountByID(ctx context.Context, bizID, id int64) (account, error) {
	var acc account
	err := s.db.WithContext(ctx).Where("biz_id = ? AND id = ?", bizID, id).Take(&acc).Error
	return acc, norows(err)
}

func (s gormStore) accountByAlias(ctx context.Context, bizID int64, alias string) (account, error) {
	var acc account
	err := s.db.WithContext(ctx).Where("biz_id = ? AND alias = ?", bizID, alias).Take(&acc).Error
	return acc, norows(err)
}

// ensureApplication inserts app unless its scope exists, and returns the row.
func (s gormStore) ensureApplication(ctx context.Context, app application) (application, error) {
	now := time.Now()
	app.CreatedAt, app.UpdatedAt = now, now
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&app).Error; err != nil {
		return application{}, fmt.Errorf("insert application %s/%s: %w", app.ScopeType, app.ScopeID, err)
	}
	return s.scopeByID(ctx, app.ScopeType, app.ScopeID)
}

func (s gormStore) ensureAccount(ctx context.Context, acc account) error {
	now := time.Now()
	acc.CreatedAt, acc.UpdatedAt = now, now
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&acc).Error; err != nil {
		return fmt.Errorf("insert account %s: %w", acc.Alias, err)
	}
	return nil
}

func norows(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return errNoRow
	}
	return err
}
