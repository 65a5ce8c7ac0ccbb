package hub

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// EnrolTokenPrefix starts every enrolment token kept in the database, so a
// leaked one is recognisable (secret scanners, logs) and is never mistaken
// for a configured gse.agent_tokens entry.
const EnrolTokenPrefix = "bkjt_"

// enrolTokenBytes is the size of a stored enrolment token's secret: 256
// random bits, so one SHA-256 is enough (no slow hash, see hashSecret).
const enrolTokenBytes = 32

// maxEnrolTokenLen bounds what the hub hashes of a presented token.
const maxEnrolTokenLen = len(EnrolTokenPrefix) + 2*enrolTokenBytes

// EnrolTokenRecord is one row of agent_token (schema 0130): an enrolment
// token of a business managed from the product (manage's
// create_agent_token and friends). Only the secret's SHA-256 is stored.
// After a rotation PreviousSHA256 admits until PreviousUntil, the grace
// period the operator chose (nil: none).
type EnrolTokenRecord struct {
	ID             int64      `gorm:"column:id;primaryKey;autoIncrement"`
	BizID          int64      `gorm:"column:biz_id"`
	Name           string     `gorm:"column:name"`
	Description    string     `gorm:"column:description"`
	SecretSHA256   string     `gorm:"column:secret_sha256"`
	PreviousSHA256 string     `gorm:"column:previous_sha256"`
	PreviousUntil  *time.Time `gorm:"column:previous_until"`
	ExpiresAt      *time.Time `gorm:"column:expires_at"`
	LastUsedAt     *time.Time `gorm:"column:last_used_at"`
	Creator        string     `gorm:"column:creator"`
	CreatedAt      time.Time  `gorm:"column:created_at"`
	LastModifyUser string     `gorm:"column:last_modify_user"`
	UpdatedAt      time.Time  `gorm:"column:updated_at"`
	RotatedAt      *time.Time `gorm:"column:rotated_at"`
}

// TableName is the enrolment token table.
func (EnrolTokenRecord) TableName() string { return "agent_token" }

// Expired reports whether the token no longer admits anyone at now.
func (t EnrolTokenRecord) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

// NewEnrolToken returns a fresh enrolment token (shown to the operator
// once) and the hash to store.
func NewEnrolToken() (token, hash string, err error) {
	b := make([]byte, enrolTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("generate enrolment token: %w", err)
	}
	token = EnrolTokenPrefix + hex.EncodeToString(b)
	return token, hashSecret(token), nil
}

// errNoEnrolToken: the presented secret is no live stored token.
var errNoEnrolToken = errors.New("no live enrolment token")

// MatchEnrolToken finds the live stored token whose current secret (or,
// within its grace period, previous secret) is presented: not expired,
// not deleted. The row is found by the secret's hash (indexed), then the
// hash is compared again in constant time, so what decides never depends
// on how much of a guess was right.
func (r *Registry) MatchEnrolToken(ctx context.Context, presented string, now time.Time) (EnrolTokenRecord, error) {
	if !strings.HasPrefix(presented, EnrolTokenPrefix) || len(presented) != maxEnrolTokenLen {
		return EnrolTokenRecord{}, errNoEnrolToken
	}
	hash := hashSecret(presented)
	var rows []EnrolTokenRecord
	err := r.db.WithContext(ctx).
		Where("secret_sha256 = ? OR (previous_sha256 = ? AND previous_until > ?)", hash, hash, now.UTC()).
		Limit(2).Find(&rows).Error
	if err != nil {
		return EnrolTokenRecord{}, fmt.Errorf("find enrolment token: %w", err)
	}
	for _, t := range rows {
		current := subtle.ConstantTimeCompare([]byte(t.SecretSHA256), []byte(hash)) == 1
		previous := subtle.ConstantTimeCompare([]byte(t.PreviousSHA256), []byte(hash)) == 1 &&
			t.PreviousUntil != nil && now.Before(*t.PreviousUntil)
		if (current || previous) && !t.Expired(now) && t.BizID > 0 {
			return t, nil
		}
	}
	return EnrolTokenRecord{}, errNoEnrolToken
}

// TouchEnrolToken records that token id just enrolled an agent.
func (r *Registry) TouchEnrolToken(ctx context.Context, id int64, now time.Time) error {
	err := r.db.WithContext(ctx).Model(&EnrolTokenRecord{}).Where("id = ?", id).
		Update("last_used_at", now.UTC()).Error
	if err != nil {
		return fmt.Errorf("record use of enrolment token %d: %w", id, err)
	}
	return nil
}
