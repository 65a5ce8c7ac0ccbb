package manageimpl

import (
	"context"
	"time"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// UpdateAccount implements manage.Accounts: the fields given replace the
// stored ones; the account's name, category and type never change. The
// built-in root keeps its alias (runs name it "root").
func (s *Service) UpdateAccount(ctx context.Context, req manage.UpdateAccountRequest) (manage.AccountDetail, error) {
	row, err := s.accountRow(ctx, req.BizID, req.ID)
	if err != nil {
		return manage.AccountDetail{}, err
	}
	now := time.Now().UTC()
	set := map[string]any{"last_modify_user": req.Operator, "updated_at": now}
	if req.Alias != nil {
		alias, err := checkAlias(*req.Alias)
		if err != nil {
			return manage.AccountDetail{}, err
		}
		if row.Builtin && alias != row.Alias {
			return manage.AccountDetail{}, manage.ErrAccountBuiltin.Withf(
				"account %q is built in: its alias cannot change", row.Alias).OnField("alias")
		}
		set["alias"], row.Alias = alias, alias
	}
	if req.Description != nil {
		if err := checkDescription(*req.Description); err != nil {
			return manage.AccountDetail{}, err
		}
		set["remark"], row.Remark = *req.Description, *req.Description
	}
	if err := s.updatePasswords(req, row, set); err != nil {
		return manage.AccountDetail{}, err
	}
	sysID := int64(0)
	if row.Category == manage.AccountCategoryDB {
		if err := checkDBPort(req.DBPort, false); err != nil {
			return manage.AccountDetail{}, err
		}
		if req.DBPort != 0 {
			set["db_port"], row.DBPort = req.DBPort, req.DBPort
		}
		if req.DBSystemAccountID < 0 {
			return manage.AccountDetail{}, errs.Invalid("db_system_account_id", "must be a positive account id, got %d", req.DBSystemAccountID)
		}
		if req.DBSystemAccountID > 0 {
			sysID = req.DBSystemAccountID
			set["db_system_account_id"], row.DBSystemAccountID = sysID, sysID
		}
	} else if req.DBPort != 0 || req.DBSystemAccountID != 0 {
		field := "db_port"
		if req.DBPort == 0 {
			field = "db_system_account_id"
		}
		return manage.AccountDetail{}, errs.Invalid(field, "only a database account (category 2) has it")
	}
	if err := s.acs.updateAccount(ctx, req.BizID, row.ID, set, sysID); err != nil {
		if isNoRow(err) {
			return manage.AccountDetail{}, accountNotFound(req.BizID, row.ID)
		}
		return manage.AccountDetail{}, accountWriteErr(err, req.BizID, row.Alias, sysID)
	}
	row.LastModifyUser, row.UpdatedAt = req.Operator, now
	s.log.Info("account updated", "account_id", row.ID, "biz_id", row.BizID,
		"password_replaced", set["password"] != nil || set["db_password"] != nil, "operator", req.Operator)
	return toAccountDetail(req.ScopeRef, row), nil
}

// updatePasswords seals the password the account's type has into set; a
// password its type has not is refused, empty keeps the stored one.
func (s *Service) updatePasswords(req manage.UpdateAccountRequest, row account, set map[string]any) error {
	if req.Password != "" {
		if row.Type != manage.AccountTypeWindows {
			return errs.Invalid("password", "only a Windows account has a password; a database account's is db_password")
		}
		if err := checkAccountPassword("password", req.Password, false); err != nil {
			return err
		}
		sealed, err := s.sealPassword(req.Password)
		if err != nil {
			return err
		}
		set["password"] = sealed
	}
	if req.DBPassword != "" {
		if row.Category != manage.AccountCategoryDB {
			return errs.Invalid("db_password", "only a database account (category 2) has it")
		}
		if err := checkAccountPassword("db_password", req.DBPassword, false); err != nil {
			return err
		}
		sealed, err := s.sealPassword(req.DBPassword)
		if err != nil {
			return err
		}
		set["db_password"] = sealed
	}
	return nil
}
