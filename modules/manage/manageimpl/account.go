package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// GetAccountList implements manage.Accounts.
func (s *Service) GetAccountList(ctx context.Context, req manage.GetAccountListRequest) (manage.AccountPage, error) {
	if req.BizID <= 0 {
		return manage.AccountPage{}, errs.Required("bk_scope_id")
	}
	length, err := pageLength(req.Start, req.Length)
	if err != nil {
		return manage.AccountPage{}, err
	}
	f := accountFilter{category: req.Category, typ: req.Type}
	if f.category != 0 && f.category != manage.AccountCategorySystem && f.category != manage.AccountCategoryDB {
		return manage.AccountPage{}, errs.Invalid("category", "must be 1 (system account) or 2 (database account), got %d", f.category)
	}
	if _, ok := accountTypeCategory[f.typ]; f.typ != 0 && !ok {
		return manage.AccountPage{}, errs.Invalid("type", "must be 1 Linux, 2 Windows, 9 MySQL, 10 Oracle or 11 DB2, got %d", f.typ)
	}
	for _, c := range []struct {
		field string
		raw   string
		out   *string
	}{{"account", req.Account, &f.account}, {"alias", req.Alias, &f.alias}, {"keyword", req.Keyword, &f.keyword}} {
		if *c.out, err = checkFilter(c.field, c.raw); err != nil {
			return manage.AccountPage{}, err
		}
	}
	if err := s.acs.ensureBuiltins(ctx, req.BizID); err != nil {
		return manage.AccountPage{}, err
	}
	rows, total, err := s.acs.accounts(ctx, req.BizID, f, req.Start, length)
	if err != nil {
		return manage.AccountPage{}, err
	}
	page := manage.AccountPage{Start: req.Start, Total: int(total), Length: length, Data: make([]manage.AccountDetail, 0, len(rows))}
	for _, r := range rows {
		page.Data = append(page.Data, toAccountDetail(req.ScopeRef, r))
	}
	return page, nil
}

// CreateAccount implements manage.Accounts.
func (s *Service) CreateAccount(ctx context.Context, req manage.CreateAccountRequest) (manage.AccountDetail, error) {
	if req.BizID <= 0 {
		return manage.AccountDetail{}, errs.Required("bk_scope_id")
	}
	row, err := s.newAccountRow(req)
	if err != nil {
		return manage.AccountDetail{}, err
	}
	if err := s.checkNameRuleOf(ctx, row.Type, row.Account); err != nil {
		return manage.AccountDetail{}, err
	}
	// The built-in root first, so no account can take its alias.
	if err := s.acs.ensureBuiltins(ctx, req.BizID); err != nil {
		return manage.AccountDetail{}, err
	}
	if err := s.acs.insertAccount(ctx, &row); err != nil {
		return manage.AccountDetail{}, accountWriteErr(err, req.BizID, row.Alias, row.DBSystemAccountID)
	}
	s.log.Info("account created", "account_id", row.ID, "biz_id", row.BizID, "type", row.Type, "operator", req.Operator)
	return toAccountDetail(req.ScopeRef, row), nil
}

// newAccountRow checks a create_account request and builds its row, the
// passwords sealed.
func (s *Service) newAccountRow(req manage.CreateAccountRequest) (account, error) {
	if err := checkCategoryType(req.Category, req.Type); err != nil {
		return account{}, err
	}
	name, err := checkAccountName(req.Type, req.Account)
	if err != nil {
		return account{}, err
	}
	alias := req.Alias
	if strings.TrimSpace(alias) == "" {
		alias = name // bk-job: the alias defaults to the account name
	}
	if alias, err = checkAlias(alias); err != nil {
		return account{}, err
	}
	if err := checkDescription(req.Description); err != nil {
		return account{}, err
	}
	now := time.Now().UTC()
	row := account{BizID: req.BizID, Account: name, Alias: alias, Category: req.Category, Type: req.Type, OS: accountOS(req.Type),
		Remark: req.Description, Creator: req.Operator, LastModifyUser: req.Operator, CreatedAt: now, UpdatedAt: now}
	switch {
	case req.Type == manage.AccountTypeWindows:
		if err := checkAccountPassword("password", req.Password, true); err != nil {
			return account{}, err
		}
		if row.Password, err = s.sealPassword(req.Password); err != nil {
			return account{}, err
		}
	case req.Password != "":
		return account{}, errs.Invalid("password", "only a Windows account has a password; a database account's is db_password")
	}
	if req.Category != manage.AccountCategoryDB {
		if req.DBPassword != "" || req.DBPort != 0 || req.DBSystemAccountID != 0 {
			return account{}, errs.Invalid(firstDBField(req), "only a database account (category 2) has it")
		}
		return row, nil
	}
	if err := checkDBPort(req.DBPort, true); err != nil {
		return account{}, err
	}
	if req.DBSystemAccountID <= 0 {
		return account{}, errs.Required("db_system_account_id").Withf("is required: the system account the database client runs as")
	}
	if err := checkAccountPassword("db_password", req.DBPassword, true); err != nil {
		return account{}, err
	}
	if row.DBPassword, err = s.sealPassword(req.DBPassword); err != nil {
		return account{}, err
	}
	row.DBPort, row.DBSystemAccountID = req.DBPort, req.DBSystemAccountID
	return row, nil
}

func firstDBField(req manage.CreateAccountRequest) string {
	switch {
	case req.DBPassword != "":
		return "db_password"
	case req.DBPort != 0:
		return "db_port"
	}
	return "db_system_account_id"
}

// sealPassword seals an account password with the credentials' box.
func (s *Service) sealPassword(pw string) (string, error) {
	if s.box == nil {
		return "", manage.ErrSecretsUnavailable
	}
	sealed, err := s.box.Seal(pw)
	if err != nil {
		return "", fmt.Errorf("seal account password: %w", err)
	}
	return sealed, nil
}

// DeleteAccount implements manage.Accounts. What refers to an account
// today is a database account running as a system account; templates,
// plans and cron jobs do not exist yet (their issues add their check
// here). Finished and running tasks copied the account's name when they
// were created, so they do not hold it.
func (s *Service) DeleteAccount(ctx context.Context, req manage.DeleteAccountRequest) (manage.AccountDetail, error) {
	row, err := s.accountRow(ctx, req.BizID, req.ID)
	if err != nil {
		return manage.AccountDetail{}, err
	}
	if row.Builtin {
		return manage.AccountDetail{}, manage.ErrAccountBuiltin.Withf(
			"account %q is built in: every business keeps it, it cannot be deleted", row.Alias).OnField("id")
	}
	err = s.acs.deleteAccount(ctx, req.BizID, row.ID)
	var refs errAccountRefs
	switch {
	case isNoRow(err):
		return manage.AccountDetail{}, accountNotFound(req.BizID, row.ID)
	case errors.As(err, &refs):
		names := make([]string, 0, len(refs.refs))
		for _, r := range refs.refs {
			names = append(names, fmt.Sprintf("%q (id %d)", r.Alias, r.ID))
		}
		return manage.AccountDetail{}, manage.ErrAccountInUse.Withf(
			"account %q is the system account of database account(s) %s; change or delete them first",
			row.Alias, strings.Join(names, ", ")).OnField("id")
	case err != nil:
		return manage.AccountDetail{}, err
	}
	s.log.Info("account deleted", "account_id", row.ID, "biz_id", row.BizID, "operator", req.Operator)
	return toAccountDetail(req.ScopeRef, row), nil
}

// accountRow loads account id of bizID, or ErrAccountNotFound on "id".
func (s *Service) accountRow(ctx context.Context, bizID, id int64) (account, error) {
	switch {
	case bizID <= 0:
		return account{}, errs.Required("bk_scope_id")
	case id == 0:
		return account{}, errs.Required("id")
	case id < 0:
		return account{}, errs.Invalid("id", "must be a positive account id, got %d", id)
	}
	row, err := s.st.accountByID(ctx, bizID, id)
	if isNoRow(err) {
		return account{}, accountNotFound(bizID, id)
	}
	if err != nil {
		return account{}, fmt.Errorf("find account %d: %w", id, err)
	}
	return row, nil
}

// accountByAlias is Account's look-up by alias: a business added after
// schema 0110 gets its built-in root the first time it is asked for.
func (s *Service) accountByAlias(ctx context.Context, bizID int64, alias string) (account, error) {
	acc, err := s.st.accountByAlias(ctx, bizID, alias)
	if !isNoRow(err) || alias != manage.BuiltinRootAlias {
		return acc, err
	}
	if ok, serr := s.acs.bizExists(ctx, bizID); serr != nil || !ok {
		return acc, err
	}
	if err := s.acs.ensureBuiltins(ctx, bizID); err != nil {
		return account{}, err
	}
	return s.st.accountByAlias(ctx, bizID, alias)
}

func accountNotFound(bizID, id int64) error {
	return manage.ErrAccountNotFound.Withf("no account %d in business %d", id, bizID).OnField("id")
}

// accountWriteErr turns the store's sentinels into the API's errors.
func accountWriteErr(err error, bizID int64, alias string, sysID int64) error {
	switch {
	case errors.Is(err, errAliasTaken):
		return manage.ErrAccountAliasExists.Withf(
			"business %d already has an account aliased %q; choose another alias", bizID, alias).OnField("alias")
	case errors.Is(err, errNoSystemAccount):
		return manage.ErrDBSystemAccountInvalid.Withf(
			"no system account %d in business %d", sysID, bizID).OnField("db_system_account_id")
	}
	return err
}

func toAccountDetail(scope manage.ScopeRef, r account) manage.AccountDetail {
	d := manage.AccountDetail{
		ID: r.ID, ScopeType: scope.ScopeType, ScopeID: scope.ScopeID, Account: r.Account, Alias: r.Alias,
		Category: r.Category, Type: r.Type, OS: r.OS, Description: r.Remark, Builtin: r.Builtin,
		Creator: r.Creator, CreateTime: r.CreatedAt.UnixMilli(), LastModifyUser: r.LastModifyUser, LastModifyTime: r.UpdatedAt.UnixMilli(),
	}
	if r.Category == manage.AccountCategoryDB {
		id := r.DBSystemAccountID
		d.DBSystemAccountID, d.DBPort, d.OS = &id, r.DBPort, ""
	}
	return d
}
