package manageimpl

import (
	"context"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// ListScopes implements manage.ScopeAdmin.
func (s *Service) ListScopes(ctx context.Context, req manage.ListScopesRequest) (manage.ScopePage, error) {
	length, err := pageLength(req.Start, req.Length)
	if err != nil {
		return manage.ScopePage{}, err
	}
	kw := strings.TrimSpace(req.Keyword)
	switch {
	case len(kw) > manage.MaxScopeKeywordLen:
		return manage.ScopePage{}, errs.Invalid("keyword", "at most %d characters, got %d", manage.MaxScopeKeywordLen, len(kw))
	case strings.IndexFunc(kw, unicode.IsControl) >= 0:
		return manage.ScopePage{}, errs.Invalid("keyword", "must not contain control characters")
	case req.ScopeTypeFilter != "" && req.ScopeTypeFilter != scopeBiz && req.ScopeTypeFilter != scopeBizSet:
		return manage.ScopePage{}, errs.Invalid("scope_type", "must be biz or biz_set, got %q", req.ScopeTypeFilter)
	}
	rows, err := s.scopes.list(ctx, scopeFilter{Keyword: kw, Type: req.ScopeTypeFilter, IncludeDisabled: req.IncludeDisabled})
	if err != nil {
		return manage.ScopePage{}, err
	}
	page := manage.ScopePage{Start: req.Start, Length: length, Total: len(rows), Data: []manage.ScopeInfo{}}
	for _, r := range rows[min(req.Start, len(rows)):min(req.Start+length, len(rows))] {
		page.Data = append(page.Data, r.info())
	}
	return page, nil
}

// ListAuthorizedScopes implements manage.ScopeAdmin: every enabled scope;
// the door keeps those the caller may use (manage.ScopeList.KeepScopes).
func (s *Service) ListAuthorizedScopes(ctx context.Context, _ manage.AuthorizedScopesRequest) (manage.ScopeList, error) {
	rows, err := s.scopes.list(ctx, scopeFilter{})
	if err != nil {
		return manage.ScopeList{}, err
	}
	out := manage.ScopeList{Data: make([]manage.ScopeInfo, 0, len(rows))}
	for _, r := range rows {
		out.Data = append(out.Data, r.info())
	}
	return out, nil
}

// CreateBiz implements manage.ScopeAdmin. The business gets the built-in
// accounts business 1 gets at first start (builtinAccounts).
func (s *Service) CreateBiz(ctx context.Context, req manage.CreateBizRequest) (manage.ScopeInfo, error) {
	id, err := scopeIDString("bk_biz_id", req.BizID)
	if err != nil {
		return manage.ScopeInfo{}, err
	}
	app := application{ID: req.BizID, ScopeType: scopeBiz, ScopeID: id, Creator: req.Operator, LastModifyUser: req.Operator}
	if err := applyFields(&app, req.ScopeFields, true); err != nil {
		return manage.ScopeInfo{}, err
	}
	app.CreatedAt = time.Now()
	app.UpdatedAt = app.CreatedAt
	row, err := s.scopes.create(ctx, app, nil, builtinAccounts(app.CreatedAt))
	if err != nil {
		return manage.ScopeInfo{}, err
	}
	s.log.Info("business created", "bk_biz_id", app.ID, "operator", req.Operator)
	return row.info(), nil
}

// UpdateBiz implements manage.ScopeAdmin. A business is disabled rather
// than deleted (see manage.ScopeAdmin); business 1, which agents without a
// business join, and a member of a set stay enabled.
func (s *Service) UpdateBiz(ctx context.Context, req manage.UpdateBizRequest) (manage.ScopeInfo, error) {
	if req.BizID <= 0 {
		return manage.ScopeInfo{}, errs.Required("bk_biz_id")
	}
	row, err := s.scopes.update(ctx, scopeBiz, req.BizID, nil, func(tx *gorm.DB, app *application) error {
		if err := applyFields(app, req.ScopeFields, false); err != nil {
			return err
		}
		if req.Disabled != nil && *req.Disabled && !app.IsDeleted {
			if err := s.checkDisable(tx, app.ID); err != nil {
				return err
			}
		}
		if req.Disabled != nil {
			app.IsDeleted = *req.Disabled
		}
		app.LastModifyUser = req.Operator
		return nil
	})
	if err != nil {
		return manage.ScopeInfo{}, err
	}
	s.log.Info("business updated", "bk_biz_id", req.BizID, "operator", req.Operator)
	return row.info(), nil
}

// checkDisable refuses to disable the default business or a set's member.
func (s *Service) checkDisable(tx *gorm.DB, bizID int64) error {
	if bizID == DefaultBizID {
		return manage.ErrScopeInUse.Withf("business %d is the default business agents without one join: it cannot be disabled", bizID).OnField("disabled")
	}
	sets, err := s.scopes.setsContaining(tx, bizID)
	if err != nil {
		return err
	}
	if len(sets) > 0 {
		return manage.ErrScopeInUse.Withf("business %d is a member of business sets %v: take it out of them first", bizID, sets).OnField("disabled")
	}
	return nil
}

// CreateBizSet implements manage.ScopeAdmin.
func (s *Service) CreateBizSet(ctx context.Context, req manage.CreateBizSetRequest) (manage.ScopeInfo, error) {
	id, err := scopeIDString("bk_biz_set_id", req.BizSetID)
	if err != nil {
		return manage.ScopeInfo{}, err
	}
	app := application{ID: req.BizSetID, ScopeType: scopeBizSet, ScopeID: id, Creator: req.Operator, LastModifyUser: req.Operator}
	if err := applyFields(&app, req.ScopeFields, true); err != nil {
		return manage.ScopeInfo{}, err
	}
	members, err := checkMembers(req.MemberBizIDs)
	if err != nil {
		return manage.ScopeInfo{}, err
	}
	app.CreatedAt = time.Now()
	app.UpdatedAt = app.CreatedAt
	row, err := s.scopes.create(ctx, app, members, builtinAccounts(app.CreatedAt))
	if err != nil {
		return manage.ScopeInfo{}, err
	}
	s.log.Info("business set created", "bk_biz_set_id", app.ID, "members", len(members), "operator", req.Operator)
	return row.info(), nil
}

// UpdateBizSet implements manage.ScopeAdmin.
func (s *Service) UpdateBizSet(ctx context.Context, req manage.UpdateBizSetRequest) (manage.ScopeInfo, error) {
	if req.BizSetID <= 0 {
		return manage.ScopeInfo{}, errs.Required("bk_biz_set_id")
	}
	var members *[]int64
	if req.MemberBizIDs != nil {
		m, err := checkMembers(*req.MemberBizIDs)
		if err != nil {
			return manage.ScopeInfo{}, err
		}
		members = &m
	}
	row, err := s.scopes.update(ctx, scopeBizSet, req.BizSetID, members, func(_ *gorm.DB, app *application) error {
		if err := applyFields(app, req.ScopeFields, false); err != nil {
			return err
		}
		if req.Disabled != nil {
			app.IsDeleted = *req.Disabled
		}
		app.LastModifyUser = req.Operator
		return nil
	})
	if err != nil {
		return manage.ScopeInfo{}, err
	}
	s.log.Info("business set updated", "bk_biz_set_id", req.BizSetID, "operator", req.Operator)
	return row.info(), nil
}

// builtinAccounts are the accounts every new scope gets, as Bootstrap
// gives business 1: Linux root.
func builtinAccounts(now time.Time) []account {
	root := rootAccount(0)
	root.CreatedAt, root.UpdatedAt = now, now
	return []account{root}
}

func (r scopeRow) info() manage.ScopeInfo {
	members := r.members
	if members == nil {
		members = []int64{}
	}
	return manage.ScopeInfo{
		Type: r.app.ScopeType, ID: r.app.ScopeID, Name: r.app.Name, TimeZone: r.app.Timezone,
		Maintainers: splitMaintainers(r.app.Maintainers), Language: r.app.Language, Disabled: r.app.IsDeleted,
		MemberBizIDs: members, Creator: r.app.Creator, LastModifier: r.app.LastModifyUser,
		CreateTime: r.app.CreatedAt.UnixMilli(), UpdateTime: r.app.UpdatedAt.UnixMilli(),
	}
}
