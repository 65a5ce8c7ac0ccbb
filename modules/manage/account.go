package manage

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// Database account types (bk-job AccountTypeEnum), beside Linux, Windows
// and MySQL in service.go.
const (
	AccountTypeOracle = 10
	AccountTypeDB2    = 11
)

// BuiltinRootAlias is the alias of the Linux `root` account every business
// has; it cannot be deleted or renamed.
const BuiltinRootAlias = "root"

// Accounts keeps a business's execution accounts (bk-job's 账号管理):
// system accounts (Linux, Windows) that scripts and files run as, and
// database accounts (MySQL, Oracle, DB2) that SQL runs with. Passwords go
// in and never come back out, on any surface.
type Accounts interface {
	// GetAccountList pages through a business's accounts, filtered by
	// category, account and alias (substrings) as bk-job's; type and
	// keyword are bkjob extensions the accounts page uses.
	//api:v3 get_account_list
	//api:web
	GetAccountList(ctx context.Context, req GetAccountListRequest) (AccountPage, error)
	// CreateAccount adds an account. bk-job's v3 takes system accounts
	// only; bkjob also takes database accounts (category 2) with db_port,
	// db_password and db_system_account_id.
	//api:v3 create_account post
	//api:web
	CreateAccount(ctx context.Context, req CreateAccountRequest) (AccountDetail, error)
	// UpdateAccount changes alias, description and password (a database
	// account's port, password and system account too); name, category and
	// type are fixed once created, as in bk-job.
	//api:v3 update_account post
	//api:web
	UpdateAccount(ctx context.Context, req UpdateAccountRequest) (AccountDetail, error)
	// DeleteAccount removes an account that nothing refers to; the
	// built-in root is kept.
	//api:v3 delete_account post
	//api:web
	DeleteAccount(ctx context.Context, req DeleteAccountRequest) (AccountDetail, error)
}

// GetAccountListRequest is get_account_list. Category 0 lists every
// category; Account and Alias keep the accounts whose name / alias contains
// them. Start and Length page as bk-job's (Length 20 by default, at most
// 1000).
type GetAccountListRequest struct {
	ScopeRef
	Category int    `json:"category,omitempty"`
	Account  string `json:"account,omitempty"`
	Alias    string `json:"alias,omitempty"`
	// Type keeps one account type (bkjob extension).
	Type int `json:"type,omitempty"`
	// Keyword keeps accounts whose name, alias or description contains it
	// (bkjob extension: the accounts page's search box).
	Keyword string `json:"keyword,omitempty"`
	Start   int    `json:"start,omitempty"`
	Length  int    `json:"length,omitempty"`
}

// AccountPage is one page of accounts, bk-job's page shape.
type AccountPage = httpx.V3Page[AccountDetail]

// AccountDetail is an account as bk-job's v3 answers it, passwords never
// included. DBPort is a bkjob addition (bk-job's web shows it).
type AccountDetail struct {
	ID        int64  `json:"id"`
	ScopeType string `json:"bk_scope_type"`
	ScopeID   string `json:"bk_scope_id"`
	Account   string `json:"account"`
	Alias     string `json:"alias"`
	Category  int    `json:"category"`
	Type      int    `json:"type"`
	OS        string `json:"os,omitempty"`
	// Description is bk-job's name for the account's remark.
	Description string `json:"description"`
	// DBSystemAccountID is the system account a database account's client
	// runs as; null on system accounts.
	DBSystemAccountID *int64 `json:"db_system_account_id"`
	DBPort            int    `json:"db_port,omitempty"`
	// Builtin marks the account bkjob creates (root): bkjob extension.
	Builtin        bool   `json:"builtin,omitempty"`
	Creator        string `json:"creator"`
	CreateTime     int64  `json:"create_time"` // ms
	LastModifyUser string `json:"last_modify_user"`
	LastModifyTime int64  `json:"last_modify_time"` // ms
}

// CreateAccountRequest is create_account. Password is a Windows account's
// (required there, refused on Linux); DBPassword, DBPort and
// DBSystemAccountID are a database account's (bkjob: bk-job's v3 creates
// system accounts only). Alias defaults to the account name.
type CreateAccountRequest struct {
	ScopeRef
	Operator          string `json:"operator,omitempty" web:"-"`
	Account           string `json:"account"`
	Type              int    `json:"type"`
	Category          int    `json:"category"`
	Password          string `json:"password,omitempty"`
	Alias             string `json:"alias,omitempty"`
	Description       string `json:"description,omitempty"`
	DBPassword        string `json:"db_password,omitempty"`
	DBPort            int    `json:"db_port,omitempty"`
	DBSystemAccountID int64  `json:"db_system_account_id,omitempty"`
}

// String never shows a password.
func (r CreateAccountRequest) String() string {
	return fmt.Sprintf("create_account{biz:%d account:%q alias:%q type:%d category:%d password:%s db_password:%s}",
		r.BizID, r.Account, r.Alias, r.Type, r.Category, mask(r.Password), mask(r.DBPassword))
}

// LogValue keeps passwords out of logs.
func (r CreateAccountRequest) LogValue() slog.Value { return slog.StringValue(r.String()) }

// UpdateAccountRequest is update_account: a field left out (nil, empty
// password, 0) keeps what is stored.
type UpdateAccountRequest struct {
	ScopeRef
	Operator          string  `json:"operator,omitempty" web:"-"`
	ID                int64   `json:"id"`
	Password          string  `json:"password,omitempty"`
	Alias             *string `json:"alias,omitempty"`
	Description       *string `json:"description,omitempty"`
	DBPassword        string  `json:"db_password,omitempty"`
	DBPort            int     `json:"db_port,omitempty"`
	DBSystemAccountID int64   `json:"db_system_account_id,omitempty"`
}

// String never shows a password.
func (r UpdateAccountRequest) String() string {
	return fmt.Sprintf("update_account{biz:%d id:%d password:%s db_password:%s}", r.BizID, r.ID, mask(r.Password), mask(r.DBPassword))
}

// LogValue keeps passwords out of logs.
func (r UpdateAccountRequest) LogValue() slog.Value { return slog.StringValue(r.String()) }

// DeleteAccountRequest is delete_account.
type DeleteAccountRequest struct {
	ScopeRef
	Operator string `json:"operator,omitempty" web:"-"`
	ID       int64  `json:"id"`
}

func mask(s string) string {
	if s == "" {
		return `""`
	}
	return Masked
}

// TakeActor records the caller as the operator; the door calls it.
func (r *CreateAccountRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *UpdateAccountRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *DeleteAccountRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// Account errors, with bk-job's codes (platform/httpx/v3_codes.go).
var (
	// ErrAccountAliasExists: the business has another account of the alias
	// (ACCOUNT_ALIAS_EXIST).
	ErrAccountAliasExists = errs.New("account.aliasExists", http.StatusConflict, "account alias already exists")
	// ErrAccountInUse: something refers to the account (DELETE_REF_ACCOUNT_FORBIDDEN).
	ErrAccountInUse = errs.New("account.inUse", http.StatusConflict, "account is referenced")
	// ErrDBSystemAccountInvalid: a database account's system account is not
	// a system account of the business (DB_SYSTEM_ACCOUNT_IS_INVALID).
	ErrDBSystemAccountInvalid = errs.New("account.dbSystemAccountInvalid", http.StatusBadRequest, "the database account's system account is invalid")
	// ErrAccountBuiltin: the built-in root cannot be deleted or renamed
	// (UNSUPPORTED_OPERATION: bk-job has no code of its own).
	ErrAccountBuiltin = errs.New("account.builtin", http.StatusConflict, "the built-in account cannot be changed so")
)
