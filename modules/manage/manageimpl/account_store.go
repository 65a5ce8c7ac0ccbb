package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/bkjob/bkjob/modules/manage"
)

// accountFilter is get_account_list's filters, checked.
type accountFilter struct {
	category, typ           int
	account, alias, keyword string
}

// accountStore is the persistence of accounts (table account, schema 0050
// and 0110).
type accountStore interface {
	// ensureBuiltins adds the business's built-in root unless its alias is
	// taken (idempotent).
	ensureBuiltins(ctx context.Context, bizID int64) error
	bizExists(ctx context.Context, bizID int64) (bool, error)
	accounts(ctx context.Context, bizID int64, f accountFilter, start, length int) ([]account, int64, error)
	// insertAccount fails with errAliasTaken, or errNoSystemAccount when a
	// database account's system account is not one of the business.
	insertAccount(ctx context.Context, a *account) error
	// updateAccount fails as insertAccount; sysID > 0 is checked as
	// insertAccount checks a new one.
	updateAccount(ctx context.Context, bizID, id int64, set map[string]any, sysID int64) error
	// deleteAccount fails with errAccountRefs while database accounts run
	// as the account.
	deleteAccount(ctx context.Context, bizID, id int64) error
}

var _ accountStore = gormStore{}

var (
	errAliasTaken      = errors.New("account alias taken")
	errNoSystemAccount = errors.New("no such system account")
)

// errAccountRefs lists the database accounts that run as a system account.
type errAccountRefs struct{ refs []account }

func (e errAccountRefs) Error() string {
	return fmt.Sprintf("account used by %d database account(s)", len(e.refs))
}

func (s gormStore) ensureBuiltins(ctx context.Context, bizID int64) error {
	now := time.Now().UTC()
	root := account{BizID: bizID, Account: "root", Alias: manage.BuiltinRootAlias, Category: manage.AccountCategorySystem,
		Type: manage.AccountTypeLinux, OS: "Linux", Creator: "system", LastModifyUser: "system", Remark: "built-in",
		Builtin: true, CreatedAt: now, UpdatedAt: now}
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&root).Error; err != nil {
		return fmt.Errorf("add built-in accounts of business %d: %w", bizID, err)
	}
	return nil
}

func (s gormStore) bizExists(ctx context.Context, bizID int64) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&application{}).Where("id = ? AND is_deleted = ?", bizID, false).Count(&n).Error; err != nil {
		return false, fmt.Errorf("find business %d: %w", bizID, err)
	}
	return n > 0, nil
}

func (s gormStore) accounts(ctx context.Context, bizID int64, f accountFilter, start, length int) ([]account, int64, error) {
	query := func() *gorm.DB {
		q := s.db.WithContext(ctx).Model(&account{}).Where("biz_id = ?", bizID)
		if f.category != 0 {
			q = q.Where("category = ?", f.category)
		}
		if f.typ != 0 {
			q = q.Where("type = ?", f.typ)
		}
		if f.account != "" {
			q = q.Where("account LIKE ? ESCAPE '!'", "%"+likeEscape(f.account)+"%")
		}
		if f.alias != "" {
			q = q.Where("alias LIKE ? ESCAPE '!'", "%"+likeEscape(f.alias)+"%")
		}
		if f.keyword != "" {
			k := "%" + likeEscape(f.keyword) + "%"
			q = q.Where("(account LIKE ? ESCAPE '!' OR alias LIKE ? ESCAPE '!' OR remark LIKE ? ESCAPE '!')", k, k, k)
		}
		return q
	}
	var total int64
	if err := query().Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count accounts: %w", err)
	}
	var rows []account
	if err := query().Order("id").Offset(start).Limit(length).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list accounts: %w", err)
	}
	return rows, total, nil
}

// systemAccountLocked reads system account id of bizID with a locking read
// in tx, so a delete of it racing this write waits and then sees the
// database account that names it (deleteAccount).
func systemAccountLocked(tx *gorm.DB, bizID, id int64) error {
	var a account
	err := forUpdate(tx).Select("id").
		Where("biz_id = ? AND id = ? AND category = ?", bizID, id, manage.AccountCategorySystem).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return errNoSystemAccount
	}
	return err
}

func (s gormStore) insertAccount(ctx context.Context, a *account) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if a.Category == manage.AccountCategoryDB {
			if err := systemAccountLocked(tx, a.BizID, a.DBSystemAccountID); err != nil {
				return err
			}
		}
		err := tx.Create(a).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return errAliasTaken
		}
		if err != nil {
			return fmt.Errorf("insert account %q: %w", a.Alias, err)
		}
		return nil
	})
}

func (s gormStore) updateAccount(ctx context.Context, bizID, id int64, set map[string]any, sysID int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if sysID > 0 {
			if err := systemAccountLocked(tx, bizID, sysID); err != nil {
				return err
			}
		}
		res := tx.Model(&account{}).Where("biz_id = ? AND id = ?", bizID, id).Updates(set)
		if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
			return errAliasTaken
		}
		if res.Error != nil {
			return fmt.Errorf("update account %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return errNoRow
		}
		return nil
	})
}

// deleteAccount deletes the row first and looks for database accounts
// naming it after, with a locking read, in one transaction (as
// deleteCredential): a database account created meanwhile either committed
// before (found, and the delete rolls back) or waits on the deleted row
// and is refused (systemAccountLocked).
func (s gormStore) deleteAccount(ctx context.Context, bizID, id int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("biz_id = ? AND id = ? AND builtin = ?", bizID, id, false).Delete(&account{})
		if res.Error != nil {
			return fmt.Errorf("delete account %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return errNoRow
		}
		var refs []account
		if err := forUpdate(tx).Where("biz_id = ? AND db_system_account_id = ?", bizID, id).Order("id").Limit(5).Find(&refs).Error; err != nil {
			return fmt.Errorf("find database accounts of account %d: %w", id, err)
		}
		if len(refs) > 0 {
			return errAccountRefs{refs: refs}
		}
		return nil
	})
}
