package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// dangerRule is a row of dangerous_rule (schema 0120).
type dangerRule struct {
	ID              int64 `gorm:"primaryKey"`
	Expression      string
	ScriptLanguages string // ",1,4,"
	Description     string
	Action          int
	Status          int
	Priority        int
	Creator         string
	LastModifyUser  string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (dangerRule) TableName() string { return "dangerous_rule" }

// dangerRecord is a row of dangerous_record.
type dangerRecord struct {
	ID             int64 `gorm:"primaryKey"`
	RuleID         int64
	RuleExpression string
	Description    string
	BizID          int64
	Operator       string
	AppCode        string
	StartupMode    int
	ScriptLanguage int
	Content        string
	Action         int
	CheckResult    string
	CreatedAt      time.Time
}

func (dangerRecord) TableName() string { return "dangerous_record" }

// recordFilter narrows listRecords; zero fields do not filter.
type recordFilter struct {
	ruleID, bizID        int64
	action, language     int
	operator             string
	from, to             time.Time
	start, length        int
	hasFrom, hasTo, none bool
}

// languagesColumn stores languages as ",1,4,".
func languagesColumn(langs []int) string {
	var b strings.Builder
	b.WriteString(",")
	for _, l := range langs {
		b.WriteString(strconv.Itoa(l))
		b.WriteString(",")
	}
	return b.String()
}

// languagesOf reads the column back.
func languagesOf(col string) []int {
	out := []int{}
	for _, f := range strings.Split(strings.Trim(col, ","), ",") {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// dangerStore keeps rules and records.
type dangerStore struct{ db *gorm.DB }

func (s dangerStore) rules(ctx context.Context) ([]dangerRule, error) {
	var rows []dangerRule
	if err := s.db.WithContext(ctx).Order("priority, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list dangerous rules: %w", err)
	}
	return rows, nil
}

func (s dangerStore) enabledRules(ctx context.Context) ([]dangerRule, error) {
	var rows []dangerRule
	if err := s.db.WithContext(ctx).Where("status = ?", 1).Order("priority, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list enabled dangerous rules: %w", err)
	}
	return rows, nil
}

func (s dangerStore) rule(ctx context.Context, id int64) (dangerRule, error) {
	var r dangerRule
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if err != nil {
		return r, fmt.Errorf("find dangerous rule %d: %w", id, norows(err))
	}
	return r, nil
}

// createRule inserts r last in the order: the largest priority is read
// under a lock in the insert's transaction, so two creates never share one.
func (s dangerStore) createRule(ctx context.Context, r dangerRule) (dangerRule, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var last dangerRule
		err := forUpdate(tx).Order("priority DESC").Take(&last).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		r.Priority = last.Priority + 1
		return tx.Create(&r).Error
	})
	if err != nil {
		return dangerRule{}, fmt.Errorf("insert dangerous rule: %w", err)
	}
	return r, nil
}

// updateRule writes fields of rule id; errNoRow when it is gone.
func (s dangerStore) updateRule(ctx context.Context, id int64, fields map[string]any) error {
	res := s.db.WithContext(ctx).Model(&dangerRule{}).Where("id = ?", id).Updates(fields)
	if res.Error != nil {
		return fmt.Errorf("update dangerous rule %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := s.rule(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (s dangerStore) deleteRule(ctx context.Context, id int64) error {
	res := s.db.WithContext(ctx).Where("id = ?", id).Delete(&dangerRule{})
	if res.Error != nil {
		return fmt.Errorf("delete dangerous rule %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete dangerous rule %d: %w", id, errNoRow)
	}
	return nil
}

// moveRule swaps rule id's priority with its neighbour's above (dir -1)
// or below (dir 1), in one transaction over the locked order; a rule
// already first (or last) stays.
func (s dangerStore) moveRule(ctx context.Context, id int64, dir int, user string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []dangerRule
		if err := forUpdate(tx).Order("priority, id").Find(&rows).Error; err != nil {
			return fmt.Errorf("lock dangerous rules: %w", err)
		}
		at := -1
		for i, r := range rows {
			if r.ID == id {
				at = i
			}
		}
		if at < 0 {
			return fmt.Errorf("move dangerous rule %d: %w", id, errNoRow)
		}
		other := at + dir
		if other < 0 || other >= len(rows) {
			return nil
		}
		// Renumber the whole order so equal priorities (none today) can
		// never make a swap a no-op.
		rows[at], rows[other] = rows[other], rows[at]
		now := time.Now()
		for i, r := range rows {
			fields := map[string]any{"priority": i + 1}
			if r.ID == id {
				fields["last_modify_user"], fields["updated_at"] = user, now
			}
			if r.Priority == i+1 && r.ID != id {
				continue
			}
			if err := tx.Model(&dangerRule{}).Where("id = ?", r.ID).Updates(fields).Error; err != nil {
				return fmt.Errorf("reorder dangerous rule %d: %w", r.ID, err)
			}
		}
		return nil
	})
}

func (s dangerStore) addRecords(ctx context.Context, recs []dangerRecord) error {
	if len(recs) == 0 {
		return nil
	}
	if err := s.db.WithContext(ctx).Create(&recs).Error; err != nil {
		return fmt.Errorf("insert dangerous records: %w", err)
	}
	return nil
}

func (s dangerStore) records(ctx context.Context, f recordFilter) ([]dangerRecord, int64, error) {
	q := s.db.WithContext(ctx).Model(&dangerRecord{})
	if f.ruleID > 0 {
		q = q.Where("rule_id = ?", f.ruleID)
	}
	if f.bizID > 0 {
		q = q.Where("biz_id = ?", f.bizID)
	}
	if f.action > 0 {
		q = q.Where("action = ?", f.action)
	}
	if f.language > 0 {
		q = q.Where("script_language = ?", f.language)
	}
	if f.operator != "" {
		q = q.Where("operator = ?", f.operator)
	}
	if f.hasFrom {
		q = q.Where("created_at >= ?", f.from)
	}
	if f.hasTo {
		q = q.Where("created_at <= ?", f.to)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count dangerous records: %w", err)
	}
	var rows []dangerRecord
	if err := q.Order("id DESC").Offset(f.start).Limit(f.length).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list dangerous records: %w", err)
	}
	return rows, total, nil
}

// scopesOf names the businesses of ids.
func (s dangerStore) scopesOf(ctx context.Context, ids []int64) (map[int64]application, error) {
	out := map[int64]application{}
	if len(ids) == 0 {
		return out, nil
	}
	var apps []application
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&apps).Error; err != nil {
		return nil, fmt.Errorf("name businesses: %w", err)
	}
	for _, a := range apps {
		out[a.ID] = a
	}
	return out, nil
}
