package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type user struct {
	ID           int64 `gorm:"primaryKey"`
	Username     string
	PasswordHash string
	IsAdmin      bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (user) TableName() string { return "user" }

type userSession struct {
	TokenHash string `gorm:"primaryKey"`
	Username  string
	ExpiresAt time.Time
	CreatedAt time.Time
}

func (userSession) TableName() string { return "user_session" }

type apiApp struct {
	ID         int64 `gorm:"primaryKey"`
	AppCode    string
	SecretHash string
	AllScopes  bool
	Enabled    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (apiApp) TableName() string { return "api_app" }

var errNoRow = errors.New("no row")

type store struct{ db *gorm.DB }

func (s store) userByName(ctx context.Context, name string) (user, error) {
	var u user
	err := s.db.WithContext(ctx).Where("username = ?", name).Take(&u).Error
	return u, norows(err)
}

// createUserOnce inserts u unless the username exists; it reports whether it inserted.
func (s store) createUserOnce(ctx context.Context, u user) (bool, error) {
	now := time.Now()
	u.CreatedAt, u.UpdatedAt = now, now
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&u)
	if res.Error != nil {
		return false, fmt.Errorf("insert user %s: %w", u.Username, res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (s store) appByCode(ctx context.Context, code string) (apiApp, error) {
	var a apiApp
	err := s.db.WithContext(ctx).Where("app_code = ?", code).Take(&a).Error
	return a, norows(err)
}

// upsertApp creates the app or replaces its secret and scope grant.
func (s store) upsertApp(ctx context.Context, a apiApp) error {
	now := time.Now()
	a.CreatedAt, a.UpdatedAt = now, now
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "app_code"}},
		DoUpdates: clause.AssignmentColumns([]string{"secret_hash", "all_scopes", "enabled", "updated_at"}),
	}).Create(&a).Error
}

func (s store) createSession(ctx context.Context, sess userSession) error {
	sess.CreatedAt = time.Now()
	return s.db.WithContext(ctx).Create(&sess).Error
}

func (s store) sessionByHash(ctx context.Context, hash string) (userSession, error) {
	var sess userSession
	err := s.db.WithContext(ctx).Where("token_hash = ? AND expires_at > ?", hash, time.Now()).Take(&sess).Error
	return sess, norows(err)
}

func (s store) deleteSession(ctx context.Context, hash string) error {
	return s.db.WithContext(ctx).Where("token_hash = ?", hash).Delete(&userSession{}).Error
}

func (s store) purgeSessions(ctx context.Context) error {
	return s.db.WithContext(ctx).Where("expires_at <= ?", time.Now()).Delete(&userSession{}).Error
}

func norows(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return errNoRow
	}
	return err
}
