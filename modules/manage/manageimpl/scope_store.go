package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// bizSetMember is one member business of a business set (schema 0140).
type bizSetMember struct {
	SetID int64 `gorm:"primaryKey;autoIncrement:false"`
	BizID int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (bizSetMember) TableName() string { return "biz_set_member" }

// scopeStore keeps the businesses and sets (application, biz_set_member).
type scopeStore struct{ db *gorm.DB }

// scopeFilter is list_scopes' filter.
type scopeFilter struct {
	Keyword         string
	Type            string
	IncludeDisabled bool
}

// scopeRow is a scope with its members (sets only).
type scopeRow struct {
	app     application
	members []int64
}

// list returns every scope matching f, by type (biz first) then id.
func (s scopeStore) list(ctx context.Context, f scopeFilter) ([]scopeRow, error) {
	q := s.db.WithContext(ctx).Model(&application{})
	if f.Type != "" {
		q = q.Where("scope_type = ?", f.Type)
	}
	if !f.IncludeDisabled {
		q = q.Where("is_deleted = ?", false)
	}
	if f.Keyword != "" {
		like := "%" + likeEscaper.Replace(f.Keyword) + "%"
		q = q.Where("(name LIKE ? ESCAPE '!' OR scope_id LIKE ? ESCAPE '!')", like, like)
	}
	var apps []application
	if err := q.Order("scope_type, id").Find(&apps).Error; err != nil {
		return nil, fmt.Errorf("list scopes: %w", err)
	}
	var sets []int64
	for _, a := range apps {
		if a.ScopeType == scopeBizSet {
			sets = append(sets, a.ID)
		}
	}
	members, err := s.membersOf(s.db.WithContext(ctx), sets)
	if err != nil {
		return nil, err
	}
	out := make([]scopeRow, 0, len(apps))
	for _, a := range apps {
		out = append(out, scopeRow{app: a, members: members[a.ID]})
	}
	return out, nil
}

// membersOf returns the members of each set in sets, sorted.
func (scopeStore) membersOf(db *gorm.DB, sets []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(sets) == 0 {
		return out, nil
	}
	var rows []bizSetMember
	if err := db.Where("set_id IN ?", sets).Order("set_id, biz_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list business set members: %w", err)
	}
	for _, r := range rows {
		out[r.SetID] = append(out[r.SetID], r.BizID)
	}
	return out, nil
}

// create inserts app (its id is its scope id), a set's members, and the
// business's built-in accounts, all or nothing. ErrScopeExists when any
// scope has the id.
func (s scopeStore) create(ctx context.Context, app application, members []int64, accounts []account) (scopeRow, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&application{}).Where("id = ? OR (scope_type = ? AND scope_id = ?)", app.ID, app.ScopeType, app.ScopeID).Count(&n).Error; err != nil {
			return fmt.Errorf("check scope id %d: %w", app.ID, err)
		}
		if n > 0 {
			return scopeExists(app)
		}
		if err := checkMembersExist(tx, members); err != nil {
			return err
		}
		if err := tx.Create(&app).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return scopeExists(app) // a concurrent create won
			}
			return fmt.Errorf("insert scope %s:%s: %w", app.ScopeType, app.ScopeID, err)
		}
		if err := replaceMembers(tx, app.ID, members); err != nil {
			return err
		}
		for _, acc := range accounts {
			acc.BizID = app.ID
			if err := tx.Create(&acc).Error; err != nil {
				return fmt.Errorf("insert account %s of business %d: %w", acc.Alias, app.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return scopeRow{}, err
	}
	return scopeRow{app: app, members: members}, nil
}

// update reads the scope locked, lets change edit it, and writes it back
// with members (when not nil), all in one transaction.
func (s scopeStore) update(ctx context.Context, typ string, id int64, members *[]int64, change func(tx *gorm.DB, app *application) error) (scopeRow, error) {
	var row scopeRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var app application
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
			Where("id = ? AND scope_type = ?", id, typ).Take(&app).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return manage.ErrScopeNotFound.Withf("no %s %d", typ, id).OnField(idField(typ))
		}
		if err != nil {
			return fmt.Errorf("read scope %s:%d: %w", typ, id, err)
		}
		if err := change(tx, &app); err != nil {
			return err
		}
		if members != nil {
			if err := checkMembersExist(tx, *members); err != nil {
				return err
			}
			if err := replaceMembers(tx, app.ID, *members); err != nil {
				return err
			}
		}
		app.UpdatedAt = time.Now()
		if err := tx.Select("name", "timezone", "maintainers", "language", "is_deleted", "last_modify_user", "updated_at").Save(&app).Error; err != nil {
			return fmt.Errorf("update scope %s:%d: %w", typ, id, err)
		}
		got, err := s.membersOf(tx, []int64{app.ID})
		if err != nil {
			return err
		}
		row = scopeRow{app: app, members: got[app.ID]}
		return nil
	})
	return row, err
}

// setsContaining returns the ids of the sets bizID is a member of.
func (scopeStore) setsContaining(tx *gorm.DB, bizID int64) ([]int64, error) {
	var ids []int64
	if err := tx.Model(&bizSetMember{}).Where("biz_id = ?", bizID).Order("set_id").Pluck("set_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("find sets of business %d: %w", bizID, err)
	}
	return ids, nil
}

// checkMembersExist: every id is an enabled business (a set cannot hold a
// set), read locked so it cannot be disabled meanwhile.
func checkMembersExist(tx *gorm.DB, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var found []application
	if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthShare}).
		Select("id, scope_type, is_deleted").Where("id IN ?", ids).Find(&found).Error; err != nil {
		return fmt.Errorf("read member businesses: %w", err)
	}
	byID := make(map[int64]application, len(found))
	for _, a := range found {
		byID[a.ID] = a
	}
	var bad []string
	for _, id := range ids {
		a, ok := byID[id]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%d does not exist", id))
		case a.ScopeType != scopeBiz:
			bad = append(bad, fmt.Sprintf("%d is a business set (a set cannot contain a set)", id))
		case a.IsDeleted:
			bad = append(bad, fmt.Sprintf("%d is disabled", id))
		}
	}
	if len(bad) > 0 {
		return errs.Invalid("member_biz_ids", "%s", strings.Join(bad, "; "))
	}
	return nil
}

func replaceMembers(tx *gorm.DB, setID int64, members []int64) error {
	if err := tx.Where("set_id = ?", setID).Delete(&bizSetMember{}).Error; err != nil {
		return fmt.Errorf("clear members of set %d: %w", setID, err)
	}
	if len(members) == 0 {
		return nil
	}
	rows := make([]bizSetMember, 0, len(members))
	for _, id := range members {
		rows = append(rows, bizSetMember{SetID: setID, BizID: id})
	}
	if err := tx.CreateInBatches(rows, 500).Error; err != nil {
		return fmt.Errorf("insert members of set %d: %w", setID, err)
	}
	return nil
}

func scopeExists(app application) error {
	return manage.ErrScopeExists.Withf("id %d is taken by a business or business set", app.ID).OnField(idField(app.ScopeType))
}

// idField is the request field naming a scope of typ.
func idField(typ string) string {
	if typ == scopeBizSet {
		return "bk_biz_set_id"
	}
	return "bk_biz_id"
}

// Scope types.
const (
	scopeBiz    = "biz"
	scopeBizSet = "biz_set"
)
