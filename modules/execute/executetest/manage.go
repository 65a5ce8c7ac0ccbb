package executetest

import (
	"context"
	"strconv"
	"sync"

	"github.com/bkjob/bkjob/modules/manage"
)

// Manage is a fake manage.Service: business 1 ("biz" "1") with a Linux
// account 1 aliased "root" (user root), unless changed with Add*.
type Manage struct {
	mu       sync.Mutex
	scopes   map[string]manage.Scope
	accounts []manage.Account
	// scriptCheck and checked: CheckScriptRun (manage_danger.go).
	scriptCheck func(manage.ScriptRunCheck) (manage.ScriptRunVerdict, error)
	checked     []manage.ScriptRunCheck
}

var _ manage.Service = (*Manage)(nil)

// NewManage returns the fake with the default business and account.
func NewManage() *Manage {
	m := &Manage{scopes: map[string]manage.Scope{}}
	m.AddScope(manage.Scope{Type: "biz", ID: "1", BizID: 1, Name: "Default"})
	m.AddAccount(manage.Account{ID: 1, BizID: 1, Account: "root", Alias: "root", Category: manage.AccountCategorySystem, Type: manage.AccountTypeLinux, OS: "Linux"})
	return m
}

// AddScope adds a business.
func (m *Manage) AddScope(s manage.Scope) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.scopes[s.Type+":"+s.ID] = s
}

// AddAccount adds an account.
func (m *Manage) AddAccount(a manage.Account) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accounts = append(m.accounts, a)
}

// ResolveScope implements manage.Service.
func (m *Manage) ResolveScope(_ context.Context, scopeType, scopeID string) (manage.Scope, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.scopes[scopeType+":"+scopeID]
	if !ok {
		return manage.Scope{}, manage.ErrScopeNotFound.Withf("scope %s:%s not found", scopeType, scopeID)
	}
	return s, nil
}

// Account implements manage.Service.
func (m *Manage) Account(_ context.Context, bizID int64, ref manage.AccountRef) (manage.Account, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.accounts {
		if a.BizID != bizID {
			continue
		}
		if ref.ID != 0 && a.ID == ref.ID || ref.ID == 0 && a.Alias == ref.Alias {
			return a, nil
		}
	}
	name := ref.Alias
	if ref.ID != 0 {
		name = strconv.FormatInt(ref.ID, 10)
	}
	return manage.Account{}, manage.ErrAccountNotFound.Withf("account %s not found", name)
}

// CheckUploads implements manage.Service: the fake's platform has the
// built-in upload settings (push_config_file's own limit, any extension).
func (m *Manage) CheckUploads(_ context.Context, req manage.UploadCheck) (manage.UploadsAllowed, error) {
	return manage.UploadsAllowed{Checked: len(req.Files)}, nil
}
