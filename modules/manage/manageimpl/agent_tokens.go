package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// Agent enrolment tokens live in agent_token (schema 0130). The record,
// the secret's form and how the hub matches it are gse/hub's
// (enrol_token.go), the one place the admission rules live; this file is
// what operators do with them.

// ListAgentTokens implements manage.AgentTokens.
func (s *Service) ListAgentTokens(ctx context.Context, req manage.ListAgentTokensRequest) (manage.AgentTokenPage, error) {
	if req.BizID <= 0 {
		return manage.AgentTokenPage{}, errs.Required("bk_scope_id")
	}
	length, err := pageLength(req.Start, req.Length)
	if err != nil {
		return manage.AgentTokenPage{}, err
	}
	q := s.ag.db.WithContext(ctx).Model(&hub.EnrolTokenRecord{}).Where("biz_id = ?", req.BizID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return manage.AgentTokenPage{}, fmt.Errorf("count enrolment tokens of business %d: %w", req.BizID, err)
	}
	var rows []hub.EnrolTokenRecord
	if err := q.Order("id").Offset(req.Start).Limit(length).Find(&rows).Error; err != nil {
		return manage.AgentTokenPage{}, fmt.Errorf("list enrolment tokens of business %d: %w", req.BizID, err)
	}
	now := time.Now()
	page := manage.AgentTokenPage{Start: req.Start, Total: int(total), Length: length, Data: []manage.AgentToken{}}
	for _, r := range rows {
		page.Data = append(page.Data, toAgentToken(r, now))
	}
	return page, nil
}

// CreateAgentToken implements manage.AgentTokens.
func (s *Service) CreateAgentToken(ctx context.Context, req manage.CreateAgentTokenRequest) (manage.AgentTokenSecret, error) {
	if req.BizID <= 0 {
		return manage.AgentTokenSecret{}, errs.Required("bk_scope_id")
	}
	name, err := checkTokenText("name", req.Name, manage.MaxAgentTokenNameLen, true)
	if err != nil {
		return manage.AgentTokenSecret{}, err
	}
	desc, err := checkTokenText("description", req.Description, manage.MaxAgentTokenDescriptionLen, false)
	if err != nil {
		return manage.AgentTokenSecret{}, err
	}
	now := time.Now().UTC()
	var expires *time.Time
	if req.ExpireTime != 0 {
		t := time.UnixMilli(req.ExpireTime).UTC()
		if req.ExpireTime < 0 || !t.After(now) {
			return manage.AgentTokenSecret{}, errs.Invalid("expire_time", "must be a time in the future (Unix milliseconds), or 0 for never")
		}
		expires = &t
	}
	secret, hash, err := hub.NewEnrolToken()
	if err != nil {
		return manage.AgentTokenSecret{}, err
	}
	rec := hub.EnrolTokenRecord{BizID: req.BizID, Name: name, Description: desc, SecretSHA256: hash,
		ExpiresAt: expires, Creator: req.Operator, CreatedAt: now, LastModifyUser: req.Operator, UpdatedAt: now}
	err = s.ag.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Counted in the insert's transaction: two creates racing at the
		// limit may both pass on SQLite's snapshot, which only overshoots
		// by the racers; the bound is against a flood, not an exact quota.
		var n int64
		if err := tx.Model(&hub.EnrolTokenRecord{}).Where("biz_id = ?", req.BizID).Count(&n).Error; err != nil {
			return fmt.Errorf("count enrolment tokens of business %d: %w", req.BizID, err)
		}
		if n >= manage.MaxAgentTokensPerBiz {
			return manage.ErrAgentTokenLimit.Withf("business %d already has %d enrolment tokens: delete one first", req.BizID, n)
		}
		return tx.Create(&rec).Error
	})
	if err != nil {
		return manage.AgentTokenSecret{}, fmt.Errorf("create enrolment token: %w", err)
	}
	s.log.Warn("agent enrolment token created", "token_id", rec.ID, "biz_id", req.BizID, "name", name, "operator", req.Operator)
	return manage.AgentTokenSecret{AgentToken: toAgentToken(rec, now), Token: secret}, nil
}

// RotateAgentToken implements manage.AgentTokens. The old secret keeps
// admitting for GraceSeconds (none by default); a rotation during an
// earlier grace period ends that one: only the secret just replaced is
// kept. Enrolled agents hold their own credentials and are not affected.
func (s *Service) RotateAgentToken(ctx context.Context, req manage.RotateAgentTokenRequest) (manage.AgentTokenSecret, error) {
	if req.BizID <= 0 {
		return manage.AgentTokenSecret{}, errs.Required("bk_scope_id")
	}
	if req.GraceSeconds < 0 || req.GraceSeconds > manage.MaxAgentTokenGraceSeconds {
		return manage.AgentTokenSecret{}, errs.Invalid("grace_seconds", "must be 0..%d, got %d", manage.MaxAgentTokenGraceSeconds, req.GraceSeconds)
	}
	secret, hash, err := hub.NewEnrolToken()
	if err != nil {
		return manage.AgentTokenSecret{}, err
	}
	now := time.Now().UTC()
	var rec hub.EnrolTokenRecord
	err = s.ag.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if rec, err = s.agentToken(tx, req.BizID, req.ID); err != nil {
			return err
		}
		var until *time.Time
		prev := ""
		if req.GraceSeconds > 0 {
			t := now.Add(time.Duration(req.GraceSeconds) * time.Second)
			until, prev = &t, rec.SecretSHA256
		}
		upd := map[string]any{"secret_sha256": hash, "previous_sha256": prev, "previous_until": until,
			"rotated_at": now, "last_modify_user": req.Operator, "updated_at": now}
		// The secret it replaces is in the condition: of two rotations
		// racing, the second finds nothing and is refused, never silently
		// handing out a secret that no longer works.
		res := tx.Model(&hub.EnrolTokenRecord{}).Where("id = ? AND secret_sha256 = ?", rec.ID, rec.SecretSHA256).Updates(upd)
		if res.Error != nil {
			return fmt.Errorf("rotate enrolment token %d: %w", rec.ID, res.Error)
		}
		if res.RowsAffected != 1 {
			return manage.ErrAgentTokenNotFound.Withf("enrolment token %d changed meanwhile: try again", rec.ID).OnField("id")
		}
		rec.SecretSHA256, rec.PreviousSHA256, rec.PreviousUntil = hash, prev, until
		rec.RotatedAt, rec.LastModifyUser, rec.UpdatedAt = &now, req.Operator, now
		return nil
	})
	if err != nil {
		return manage.AgentTokenSecret{}, err
	}
	s.log.Warn("agent enrolment token rotated", "token_id", rec.ID, "biz_id", req.BizID, "grace_seconds", req.GraceSeconds, "operator", req.Operator)
	return manage.AgentTokenSecret{AgentToken: toAgentToken(rec, now), Token: secret}, nil
}

// DeleteAgentToken implements manage.AgentTokens: the row goes, so the
// hub can no longer match the token, whatever grace period it was in.
func (s *Service) DeleteAgentToken(ctx context.Context, req manage.DeleteAgentTokenRequest) (manage.AgentToken, error) {
	if req.BizID <= 0 {
		return manage.AgentToken{}, errs.Required("bk_scope_id")
	}
	var rec hub.EnrolTokenRecord
	err := s.ag.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if rec, err = s.agentToken(tx, req.BizID, req.ID); err != nil {
			return err
		}
		if err := tx.Where("id = ? AND biz_id = ?", rec.ID, req.BizID).Delete(&hub.EnrolTokenRecord{}).Error; err != nil {
			return fmt.Errorf("delete enrolment token %d: %w", rec.ID, err)
		}
		return nil
	})
	if err != nil {
		return manage.AgentToken{}, err
	}
	s.log.Warn("agent enrolment token deleted", "token_id", rec.ID, "biz_id", req.BizID, "name", rec.Name, "operator", req.Operator)
	return toAgentToken(rec, time.Now()), nil
}

// agentToken reads token id of business biz; another business's token is
// not found, as if it did not exist.
func (s *Service) agentToken(tx *gorm.DB, biz, id int64) (hub.EnrolTokenRecord, error) {
	if id <= 0 {
		return hub.EnrolTokenRecord{}, errs.Required("id").Withf("is required: the enrolment token's id")
	}
	var rec hub.EnrolTokenRecord
	err := tx.Where("id = ? AND biz_id = ?", id, biz).Take(&rec).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return hub.EnrolTokenRecord{}, manage.ErrAgentTokenNotFound.Withf("no enrolment token %d in business %d", id, biz).OnField("id")
	}
	if err != nil {
		return hub.EnrolTokenRecord{}, fmt.Errorf("read enrolment token %d: %w", id, err)
	}
	return rec, nil
}

// checkTokenText trims a name or description and checks its length (in
// characters), that it is valid UTF-8 and has no control characters.
func checkTokenText(field, raw string, maxChars int, required bool) (string, error) {
	v := strings.TrimSpace(raw)
	switch {
	case v == "" && required:
		return "", errs.Required(field)
	case !utf8.ValidString(v):
		return "", errs.Invalid(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(v) > maxChars:
		return "", errs.Invalid(field, "at most %d characters", maxChars)
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return "", errs.Invalid(field, "must not contain control characters")
	}
	return v, nil
}

func toAgentToken(r hub.EnrolTokenRecord, now time.Time) manage.AgentToken {
	t := manage.AgentToken{ID: r.ID, BizID: r.BizID, Name: r.Name, Description: r.Description, Status: manage.AgentTokenActive,
		Creator: r.Creator, CreateTime: r.CreatedAt.UnixMilli(), LastModifyUser: r.LastModifyUser, LastModifyTime: r.UpdatedAt.UnixMilli(),
		ExpireTime: millis(r.ExpiresAt), LastUsedTime: millis(r.LastUsedAt), RotateTime: millis(r.RotatedAt)}
	if r.Expired(now) {
		t.Status = manage.AgentTokenExpired
	}
	if r.PreviousUntil != nil && now.Before(*r.PreviousUntil) && r.PreviousSHA256 != "" {
		t.PreviousValidUntil = r.PreviousUntil.UnixMilli()
	}
	return t
}
