// Package manage is the contract of the manage role: businesses (scopes),
// execution accounts and, later, scripts, templates, plans and settings.
// Callers hold these interfaces only; the implementation lives in
// modules/manage/manageimpl.
package manage

import (
	"context"
	"net/http"

	"github.com/bkjob/bkjob/platform/errs"
)

// Scope is a bk-job resource scope (bk_scope_type + bk_scope_id) resolved to
// its numeric business id.
type Scope struct {
	Type  string `json:"bk_scope_type"` // "biz" | "biz_set"
	ID    string `json:"bk_scope_id"`
	BizID int64  `json:"bk_biz_id"`
	Name  string `json:"name"`
}

// Account categories and types (bk-job AccountCategoryEnum / AccountTypeEnum).
const (
	AccountCategorySystem = 1
	AccountCategoryDB     = 2
	AccountTypeLinux      = 1
	AccountTypeWindows    = 2
	AccountTypeMySQL      = 9
)

// Account is an execution account. Secrets never leave manage in clear.
type Account struct {
	ID       int64  `json:"id"`
	BizID    int64  `json:"bk_biz_id"`
	Account  string `json:"account"`
	Alias    string `json:"alias"`
	Category int    `json:"category"`
	Type     int    `json:"type"`
	OS       string `json:"os"`
}

// AccountRef names an account by id or alias (API: account_id | account_alias).
type AccountRef struct {
	ID    int64  `json:"id,omitempty"`
	Alias string `json:"alias,omitempty"`
}

// Service is what other roles call on manage.
type Service interface {
	// ResolveScope maps a scope to its business; ErrScopeNotFound if unknown.
	ResolveScope(ctx context.Context, scopeType, scopeID string) (Scope, error)
	// Account finds an account of the business by id or alias; ErrAccountNotFound if unknown.
	Account(ctx context.Context, bizID int64, ref AccountRef) (Account, error)
}

// Sentinel errors, with their stable codes.
var (
	ErrScopeNotFound   = errs.New("scope.notFound", http.StatusNotFound, "scope not found")
	ErrAccountNotFound = errs.New("account.notFound", http.StatusNotFound, "account not found")
)

// Bus method names for the remote client.
const (
	MethodResolveScope = "manage.ResolveScope"
	MethodAccount      = "manage.Account"
)
