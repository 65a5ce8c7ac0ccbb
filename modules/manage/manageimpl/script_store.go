package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/modules/manage"
)

// scriptRow is one row of script (schema 0100); BizID 0 is a public script.
type scriptRow struct {
	ID             string `gorm:"primaryKey"`
	BizID          int64
	Name           string
	Language       int
	Description    string
	Creator        string
	LastModifyUser string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (scriptRow) TableName() string { return "script" }

// versionRow is one row of script_version.
type versionRow struct {
	ID             int64 `gorm:"primaryKey"`
	ScriptID       string
	Version        string
	Content        string
	VersionDesc    string
	Status         int
	Creator        string
	LastModifyUser string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (versionRow) TableName() string { return "script_version" }

type tagRow struct {
	ScriptID string `gorm:"primaryKey"`
	Tag      string `gorm:"primaryKey"`
}

func (tagRow) TableName() string { return "script_tag" }

// Store errors the service turns into the contract's.
var (
	errScriptNameTaken  = errors.New("script name taken")
	errVersionNameTaken = errors.New("script version name taken")
)

// scriptStore is the script library's persistence. Every read of a
// script is by (owner, id), so a business never sees another's.
type scriptStore struct{ db *gorm.DB }

func (s scriptStore) script(ctx context.Context, owner int64, id string) (scriptRow, error) {
	var r scriptRow
	err := s.db.WithContext(ctx).Where("biz_id = ? AND id = ?", owner, id).Take(&r).Error
	return r, norows(err)
}

// version finds version id of a script of owner.
func (s scriptStore) version(ctx context.Context, owner int64, id int64) (versionRow, scriptRow, error) {
	var v versionRow
	if err := norows(s.db.WithContext(ctx).Where("id = ?", id).Take(&v).Error); err != nil {
		return versionRow{}, scriptRow{}, err
	}
	sc, err := s.script(ctx, owner, v.ScriptID)
	return v, sc, err
}

func (s scriptStore) versionByName(ctx context.Context, scriptID, version string) (versionRow, error) {
	var v versionRow
	err := s.db.WithContext(ctx).Where("script_id = ? AND version = ?", scriptID, version).Take(&v).Error
	return v, norows(err)
}

// onlineVersion is the script's ONLINE version (errNoRow when none).
func (s scriptStore) onlineVersion(ctx context.Context, scriptID string) (versionRow, error) {
	var v versionRow
	err := s.db.WithContext(ctx).Where("script_id = ? AND status = ?", scriptID, manage.ScriptOnline).Take(&v).Error
	return v, norows(err)
}

// createScript inserts a script, its first version and tags in one
// transaction.
func (s scriptStore) createScript(ctx context.Context, sc *scriptRow, v *versionRow, tags []string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&scriptRow{}).Where("biz_id = ? AND name = ?", sc.BizID, sc.Name).Count(&n).Error; err != nil {
			return fmt.Errorf("check script name: %w", err)
		}
		if n > 0 {
			return errScriptNameTaken
		}
		if err := tx.Create(sc).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errScriptNameTaken // a concurrent create won the unique index
			}
			return fmt.Errorf("insert script: %w", err)
		}
		v.ScriptID = sc.ID
		if err := tx.Create(v).Error; err != nil {
			return fmt.Errorf("insert script version: %w", err)
		}
		return setTags(tx, sc.ID, tags)
	})
}

func setTags(tx *gorm.DB, scriptID string, tags []string) error {
	if err := tx.Where("script_id = ?", scriptID).Delete(&tagRow{}).Error; err != nil {
		return fmt.Errorf("clear script tags: %w", err)
	}
	for _, t := range tags {
		if err := tx.Create(&tagRow{ScriptID: scriptID, Tag: t}).Error; err != nil {
			return fmt.Errorf("insert script tag: %w", err)
		}
	}
	return nil
}

// addVersion inserts v (errVersionNameTaken when the script has one of
// its name) and touches the script.
func (s scriptStore) addVersion(ctx context.Context, v *versionRow) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&versionRow{}).Where("script_id = ? AND version = ?", v.ScriptID, v.Version).Count(&n).Error; err != nil {
			return fmt.Errorf("check version name: %w", err)
		}
		if n > 0 {
			return errVersionNameTaken
		}
		if err := tx.Create(v).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errVersionNameTaken
			}
			return fmt.Errorf("insert script version: %w", err)
		}
		return touch(tx, v.ScriptID, v.LastModifyUser, v.UpdatedAt)
	})
}

func touch(tx *gorm.DB, scriptID, user string, at time.Time) error {
	err := tx.Model(&scriptRow{}).Where("id = ?", scriptID).
		Updates(map[string]any{"last_modify_user": user, "updated_at": at}).Error
	if err != nil {
		return fmt.Errorf("touch script %s: %w", scriptID, err)
	}
	return nil
}

// updateBasic changes a script's columns and, when tags is not nil, its tags.
func (s scriptStore) updateBasic(ctx context.Context, sc scriptRow, set map[string]any, tags *[]string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if name, ok := set["name"].(string); ok {
			var n int64
			err := tx.Model(&scriptRow{}).Where("biz_id = ? AND name = ? AND id <> ?", sc.BizID, name, sc.ID).Count(&n).Error
			if err != nil {
				return fmt.Errorf("check script name: %w", err)
			}
			if n > 0 {
				return errScriptNameTaken
			}
		}
		if err := tx.Model(&scriptRow{}).Where("id = ?", sc.ID).Updates(set).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errScriptNameTaken
			}
			return fmt.Errorf("update script %s: %w", sc.ID, err)
		}
		if tags != nil {
			return setTags(tx, sc.ID, *tags)
		}
		return nil
	})
}

// lockedStatus locks the script's row for the rest of tx (a locking read
// on MySQL; SQLite's write transactions are serial anyway), so changes of
// one script's versions happen one at a time, and reads version id's
// status as it is now (errNoRow when it is gone). Checking the status
// here rather than by the update's affected rows matters: MySQL counts
// rows changed, not matched, so an update writing what is already there
// would look like a miss.
func lockedStatus(tx *gorm.DB, v versionRow) (int, error) {
	var sc scriptRow
	if err := norows(forUpdate(tx).Select("id").Where("id = ?", v.ScriptID).Take(&sc).Error); err != nil {
		return 0, err
	}
	var cur versionRow
	if err := norows(tx.Select("id", "status").Where("id = ? AND script_id = ?", v.ID, v.ScriptID).Take(&cur).Error); err != nil {
		return 0, err
	}
	return cur.Status, nil
}

// errWrongStatus is a version whose status forbids the change (by now).
var errWrongStatus = errors.New("script version status forbids it")

// updateDraft changes a version's columns while it is still a draft
// (errWrongStatus when it is not, by the time the script is locked).
func (s scriptStore) updateDraft(ctx context.Context, v versionRow, set map[string]any) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st, err := lockedStatus(tx, v)
		if err != nil {
			return err
		}
		if st != manage.ScriptDraft {
			return errWrongStatus
		}
		if err := tx.Model(&versionRow{}).Where("id = ?", v.ID).Updates(set).Error; err != nil {
			return fmt.Errorf("update script version %d: %w", v.ID, err)
		}
		return touch(tx, v.ScriptID, v.LastModifyUser, v.UpdatedAt)
	})
}

// publish puts version id online and the script's online one offline, in
// one transaction holding the script's lock; errWrongStatus when the
// version is disabled by then.
func (s scriptStore) publish(ctx context.Context, v versionRow, user string, at time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st, err := lockedStatus(tx, v)
		if err != nil {
			return err
		}
		if st == manage.ScriptDisabled {
			return errWrongStatus
		}
		err = tx.Model(&versionRow{}).Where("script_id = ? AND status = ? AND id <> ?", v.ScriptID, manage.ScriptOnline, v.ID).
			Updates(map[string]any{"status": manage.ScriptOffline, "updated_at": at}).Error
		if err != nil {
			return fmt.Errorf("take script %s offline: %w", v.ScriptID, err)
		}
		err = tx.Model(&versionRow{}).Where("id = ?", v.ID).
			Updates(map[string]any{"status": manage.ScriptOnline, "last_modify_user": user, "updated_at": at}).Error
		if err != nil {
			return fmt.Errorf("publish script version %d: %w", v.ID, err)
		}
		return touch(tx, v.ScriptID, user, at)
	})
}

// setStatus moves version id from one of from to status; errWrongStatus
// when it is in none of them.
func (s scriptStore) setStatus(ctx context.Context, v versionRow, from []int, status int, user string, at time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st, err := lockedStatus(tx, v)
		if err != nil {
			return err
		}
		if !slices.Contains(from, st) {
			return errWrongStatus
		}
		err = tx.Model(&versionRow{}).Where("id = ?", v.ID).
			Updates(map[string]any{"status": status, "last_modify_user": user, "updated_at": at}).Error
		if err != nil {
			return fmt.Errorf("set script version %d status: %w", v.ID, err)
		}
		return touch(tx, v.ScriptID, user, at)
	})
}

// deleteVersion removes a version that is not online (errWrongStatus
// when it is); the script goes with its last version.
func (s scriptStore) deleteVersion(ctx context.Context, v versionRow) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st, err := lockedStatus(tx, v)
		if err != nil {
			return err
		}
		if st == manage.ScriptOnline {
			return errWrongStatus
		}
		if err := tx.Where("id = ?", v.ID).Delete(&versionRow{}).Error; err != nil {
			return fmt.Errorf("delete script version %d: %w", v.ID, err)
		}
		var left int64
		if err := tx.Model(&versionRow{}).Where("script_id = ?", v.ScriptID).Count(&left).Error; err != nil {
			return fmt.Errorf("count script versions: %w", err)
		}
		if left == 0 {
			return deleteScriptRows(tx, v.ScriptID)
		}
		return nil
	})
}

func (s scriptStore) deleteScript(ctx context.Context, id string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return deleteScriptRows(tx, id) })
}

func deleteScriptRows(tx *gorm.DB, id string) error {
	for _, m := range []any{&versionRow{}, &tagRow{}} {
		if err := tx.Where("script_id = ?", id).Delete(m).Error; err != nil {
			return fmt.Errorf("delete script %s: %w", id, err)
		}
	}
	if err := tx.Where("id = ?", id).Delete(&scriptRow{}).Error; err != nil {
		return fmt.Errorf("delete script %s: %w", id, err)
	}
	return nil
}

// listScripts pages through owner's scripts by f, newest change first.
func (s scriptStore) listScripts(ctx context.Context, owner int64, f manage.ScriptListFilter, length int) ([]scriptRow, int64, error) {
	q := func() *gorm.DB {
		q := s.db.WithContext(ctx).Model(&scriptRow{}).Where("biz_id = ?", owner)
		if f.Name != "" {
			q = q.Where("name LIKE ? ESCAPE '!'", like(f.Name))
		}
		if f.ScriptLanguage != 0 {
			q = q.Where("language = ?", f.ScriptLanguage)
		}
		if f.Tag != "" {
			q = q.Where("id IN (?)", s.db.Model(&tagRow{}).Select("script_id").Where("tag = ?", f.Tag))
		}
		if f.Keyword != "" {
			k := like(f.Keyword)
			q = q.Where("(name LIKE ? ESCAPE '!' OR id IN (?))", k,
				s.db.Model(&versionRow{}).Select("script_id").Where("content LIKE ? ESCAPE '!'", k))
		}
		return q
	}
	var total int64
	if err := q().Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count scripts: %w", err)
	}
	var rows []scriptRow
	if err := q().Order("updated_at DESC, id").Offset(f.Start).Limit(length).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list scripts: %w", err)
	}
	return rows, total, nil
}

// like is a LIKE pattern matching s anywhere, its wildcards escaped with '!'.
func like(s string) string {
	return "%" + strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s) + "%"
}

// versions pages through a script's versions, newest first; content only
// when asked.
func (s scriptStore) versions(ctx context.Context, scriptID string, withContent bool, start, length int) ([]versionRow, int64, error) {
	q := func() *gorm.DB { return s.db.WithContext(ctx).Model(&versionRow{}).Where("script_id = ?", scriptID) }
	var total int64
	if err := q().Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count script versions: %w", err)
	}
	cols := []string{"id", "script_id", "version", "version_desc", "status", "creator", "last_modify_user", "created_at", "updated_at"}
	if withContent {
		cols = append(cols, "content")
	}
	var rows []versionRow
	if err := q().Select(cols).Order("id DESC").Offset(start).Limit(length).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list script versions: %w", err)
	}
	return rows, total, nil
}

// facts are what a list shows beside each script: its tags and online version.
type facts struct {
	tags   map[string][]string
	online map[string]int64
}

func (s scriptStore) facts(ctx context.Context, ids []string) (facts, error) {
	f := facts{tags: map[string][]string{}, online: map[string]int64{}}
	if len(ids) == 0 {
		return f, nil
	}
	var tags []tagRow
	if err := s.db.WithContext(ctx).Where("script_id IN ?", ids).Order("tag").Find(&tags).Error; err != nil {
		return f, fmt.Errorf("list script tags: %w", err)
	}
	for _, t := range tags {
		f.tags[t.ScriptID] = append(f.tags[t.ScriptID], t.Tag)
	}
	var online []versionRow
	err := s.db.WithContext(ctx).Select("id", "script_id").Where("script_id IN ? AND status = ?", ids, manage.ScriptOnline).Find(&online).Error
	if err != nil {
		return f, fmt.Errorf("list online versions: %w", err)
	}
	for _, v := range online {
		f.online[v.ScriptID] = v.ID
	}
	return f, nil
}
