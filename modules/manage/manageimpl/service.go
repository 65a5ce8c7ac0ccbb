package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/modules/manage/scriptcheck"
	"github.com/bkjob/bkjob/platform/crypto"
	"github.com/bkjob/bkjob/platform/errs"
	"gorm.io/gorm"
)

// DefaultBizID is the business a fresh install creates and unbound agents join.
const DefaultBizID = 1

// Service implements manage.Full.
type Service struct {
	st  store
	cs  credentialStore
	ag  agentStore
	hs  hostStore
	acs accountStore
	ss  scriptStore // the script library (script*.go)
	// scopes: the businesses and sets administrators keep (scope_admin.go).
	scopes scopeStore
	log    *slog.Logger
	box    *crypto.Box
	// gseHosts allows RegisterGSEHosts (WithGSEHosts).
	gseHosts bool
	// probe tests SSH logins for CheckAgentlessHost (WithSSHProbe).
	probe gse.SSHProbe
	// Dangerous rules and script checks (dangerous_*.go).
	dr         dangerStore
	settings   settingsStore // global settings (settings*.go)
	checker    scriptcheck.Checker
	checkSlots chan struct{}
}

var _ manage.Full = (*Service)(nil)

// Option configures New.
type Option func(*Service)

// WithCrypto sets the box that seals and opens credential values. Without
// it, credential calls fail with manage.ErrSecretsUnavailable.
func WithCrypto(box *crypto.Box) Option { return func(s *Service) { s.box = box } }

// WithSSHProbe sets how CheckAgentlessHost has the gse role try a login.
// Without it, CheckAgentlessHost fails with manage.ErrSSHProbeUnavailable.
func WithSSHProbe(p gse.SSHProbe) Option { return func(s *Service) { s.probe = p } }

// New returns the service over db.
func New(db *gorm.DB, log *slog.Logger, opts ...Option) *Service {
	s := &Service{st: gormStore{db: db}, cs: gormStore{db: db}, ag: agentStore{db: db}, hs: hostStore{db: db}, acs: gormStore{db: db}, ss: scriptStore{db: db}, scopes: scopeStore{db: db}, log: log,
		dr: dangerStore{db: db}, settings: settingsStore{db: db}, checkSlots: make(chan struct{}, maxConcurrentChecks)}
	s.checker = scriptcheck.Checker{OnSyntaxError: func(err error) { log.Warn("script grammar check skipped", "err", err) }}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Bootstrap creates what a fresh install needs: business 1 "Default" and in
// it a Linux system account aliased "root". It is idempotent.
func (s *Service) Bootstrap(ctx context.Context) error {
	app, err := s.st.ensureApplication(ctx, application{
		ID: DefaultBizID, ScopeType: "biz", ScopeID: "1", Name: "Default", Timezone: localZoneName(), Language: "zh_CN",
	})
	if err != nil {
		return err
	}
	return s.st.ensureAccount(ctx, rootAccount(app.ID))
}

// rootAccount is the built-in Linux account "root" every business gets
// (at first start for business 1, with create_biz for the others).
func rootAccount(bizID int64) account {
	return account{
		BizID: bizID, Account: "root", Alias: "root", Category: manage.AccountCategorySystem,
		Type: manage.AccountTypeLinux, OS: "Linux", Creator: "system", Remark: "built in",
		LastModifyUser: "system", Builtin: true,
	}
}

// ResolveScope maps (scope type, scope id) to its business.
func (s *Service) ResolveScope(ctx context.Context, scopeType, scopeID string) (manage.Scope, error) {
	if scopeType == "" {
		scopeType = "biz"
	}
	if scopeType != "biz" && scopeType != "biz_set" {
		return manage.Scope{}, manage.ErrScopeNotFound.Withf("unknown bk_scope_type %q (biz or biz_set)", scopeType).OnField("bk_scope_type")
	}
	app, err := s.st.scopeByID(ctx, scopeType, scopeID)
	if errors.Is(err, errNoRow) {
		return manage.Scope{}, manage.ErrScopeNotFound.Withf("scope %s:%s does not exist", scopeType, scopeID).OnField("bk_scope_id")
	}
	if err != nil {
		return manage.Scope{}, fmt.Errorf("find scope %s:%s: %w", scopeType, scopeID, err)
	}
	return manage.Scope{Type: app.ScopeType, ID: app.ScopeID, BizID: app.ID, Name: app.Name, TimeZone: app.Timezone}, nil
}

// GetScope implements manage.Scopes. The door resolved the scope and checked
// the caller may use it; this reads it again for its name and time zone.
func (s *Service) GetScope(ctx context.Context, req manage.GetScopeRequest) (manage.Scope, error) {
	return s.ResolveScope(ctx, req.ScopeType, req.ScopeID)
}

// Account finds an account of bizID by id or alias.
func (s *Service) Account(ctx context.Context, bizID int64, ref manage.AccountRef) (manage.Account, error) {
	var (
		acc   account
		err   error
		field string
	)
	switch {
	case ref.ID > 0:
		field = "account_id"
		acc, err = s.st.accountByID(ctx, bizID, ref.ID)
	case ref.Alias != "":
		field = "account_alias"
		acc, err = s.accountByAlias(ctx, bizID, ref.Alias) // account.go: root on demand
	default:
		return manage.Account{}, errs.Required("account_alias").Withf("is required: give account_id or account_alias")
	}
	if errors.Is(err, errNoRow) {
		return manage.Account{}, manage.ErrAccountNotFound.Withf("no account %s in business %d", refString(ref), bizID).OnField(field)
	}
	if err != nil {
		return manage.Account{}, fmt.Errorf("find account %s: %w", refString(ref), err)
	}
	return manage.Account{ID: acc.ID, BizID: acc.BizID, Account: acc.Account, Alias: acc.Alias,
		Category: acc.Category, Type: acc.Type, OS: acc.OS}, nil
}

func refString(ref manage.AccountRef) string {
	if ref.ID > 0 {
		return fmt.Sprintf("id %d", ref.ID)
	}
	return fmt.Sprintf("alias %q", ref.Alias)
}
