package manage

import (
	"context"
	"net/http"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/errs"
)

// ScopeAdmin keeps the businesses (biz) and business sets (biz_set) of
// the platform. bk-job takes both from BlueKing CMDB and has no API to
// make them; here platform administrators create and edit them (the web
// API, v3, and `bkjob biz` on the server), so all five are bkjob
// extensions. A business set's hosts are the union of its members' hosts.
//
// Nothing is deleted: tasks, hosts, accounts and credentials keep their
// business id, so a business is disabled instead (bk-job's archived
// business, application.is_deleted): its scope no longer resolves
// (1243051) until it is enabled again.
type ScopeAdmin interface {
	// ListScopes pages through the businesses and business sets, by type
	// then id: the administrators' list (the page, `bkjob biz list`).
	//api:v3 list_scopes admin extension
	//api:web
	ListScopes(ctx context.Context, req ListScopesRequest) (ScopePage, error)
	// ListAuthorizedScopes lists the enabled businesses and business sets
	// the caller may use, for everyone: the business switcher (bk-job's
	// v4 get_user_authorized_scopes). The door cuts the list.
	//api:v3 list_authorized_scopes extension
	//api:web
	ListAuthorizedScopes(ctx context.Context, req AuthorizedScopesRequest) (ScopeList, error)
	// CreateBiz creates a business with its built-in root account.
	//api:v3 create_biz post admin extension
	//api:web
	CreateBiz(ctx context.Context, req CreateBizRequest) (ScopeInfo, error)
	// UpdateBiz changes a business's name, time zone, maintainers,
	// language, or disables / enables it. Its id never changes.
	//api:v3 update_biz post admin extension
	//api:web
	UpdateBiz(ctx context.Context, req UpdateBizRequest) (ScopeInfo, error)
	// CreateBizSet creates a business set over existing businesses.
	//api:v3 create_biz_set post admin extension
	//api:web
	CreateBizSet(ctx context.Context, req CreateBizSetRequest) (ScopeInfo, error)
	// UpdateBizSet changes a business set, its members included.
	//api:v3 update_biz_set post admin extension
	//api:web
	UpdateBizSet(ctx context.Context, req UpdateBizSetRequest) (ScopeInfo, error)
}

// Limits of the scope fields.
const (
	MaxScopeNameLen    = 256
	MaxTimeZoneLen     = 64
	MaxMaintainers     = 50
	MaxMaintainerLen   = 64
	MaxBizSetMembers   = 1000
	MaxScopeKeywordLen = 128
)

// Scope languages (application.language).
const (
	LanguageZhCN = "zh_CN"
	LanguageEn   = "en"
)

// ScopeInfo is a business or business set as administrators see it.
// MemberBizIDs is a set's members (empty for a business); Disabled says
// the scope no longer resolves.
type ScopeInfo struct {
	Type         string   `json:"bk_scope_type"`
	ID           string   `json:"bk_scope_id"`
	Name         string   `json:"name"`
	TimeZone     string   `json:"time_zone"`
	Maintainers  []string `json:"maintainers"`
	Language     string   `json:"language"`
	Disabled     bool     `json:"disabled"`
	MemberBizIDs []int64  `json:"member_biz_ids"`
	Creator      string   `json:"creator"`
	LastModifier string   `json:"last_modify_user"`
	CreateTime   int64    `json:"create_time"`
	UpdateTime   int64    `json:"last_modify_time"`
}

// ListScopesRequest is list_scopes. Keyword keeps the scopes whose name
// or id holds it; ScopeTypeFilter keeps one type ("biz" or "biz_set");
// IncludeDisabled lists disabled scopes too. Start is the offset (default
// 0), Length the page size (default 20, at most 1000).
type ListScopesRequest struct {
	api.Platform
	Keyword         string `json:"keyword,omitempty"`
	ScopeTypeFilter string `json:"scope_type,omitempty"`
	IncludeDisabled bool   `json:"include_disabled,omitempty"`
	Start           int    `json:"start,omitempty"`
	Length          int    `json:"length,omitempty"`
}

// ScopePage is one page of list_scopes, bk-job's page shape.
type ScopePage struct {
	Start  int         `json:"start"`
	Length int         `json:"length"`
	Total  int         `json:"total"`
	Data   []ScopeInfo `json:"data"`
}

// AuthorizedScopesRequest is list_authorized_scopes: it names no scope.
type AuthorizedScopesRequest struct {
	api.Platform
}

// ScopeList is list_authorized_scopes' answer. Manage answers every
// enabled scope; the door keeps those the caller may use (KeepScopes,
// with the same check as every scoped request), so manage never needs to
// know who asked.
type ScopeList struct {
	Data []ScopeInfo `json:"data"`
}

// KeepScopes implements api.ScopeLister.
func (l *ScopeList) KeepScopes(keep func(scopeType, scopeID string) bool) {
	kept := make([]ScopeInfo, 0, len(l.Data))
	for _, s := range l.Data {
		if keep(s.Type, s.ID) {
			kept = append(kept, s)
		}
	}
	l.Data = kept
}

// ScopeFields are the editable fields of a business or set. On update a
// nil field is left as it is.
type ScopeFields struct {
	Name        *string   `json:"name,omitempty"`
	TimeZone    *string   `json:"time_zone,omitempty"`
	Maintainers *[]string `json:"maintainers,omitempty"`
	Language    *string   `json:"language,omitempty"`
}

// CreateBizRequest is create_biz: BizID becomes the business's
// bk_scope_id (and bk_biz_id), unique among businesses and sets. An empty
// time zone is the server's; an empty language zh_CN.
type CreateBizRequest struct {
	api.Platform
	Operator string `json:"operator,omitempty" web:"-"`
	BizID    int64  `json:"bk_biz_id"`
	ScopeFields
}

// UpdateBizRequest is update_biz. Disabled, when given, disables or
// enables the business.
type UpdateBizRequest struct {
	api.Platform
	Operator string `json:"operator,omitempty" web:"-"`
	BizID    int64  `json:"bk_biz_id"`
	ScopeFields
	Disabled *bool `json:"disabled,omitempty"`
}

// CreateBizSetRequest is create_biz_set: BizSetID becomes the set's
// bk_scope_id (bk-job's own sets use 8000000-9999999), MemberBizIDs are
// existing, enabled businesses (never sets).
type CreateBizSetRequest struct {
	api.Platform
	Operator     string  `json:"operator,omitempty" web:"-"`
	BizSetID     int64   `json:"bk_biz_set_id"`
	MemberBizIDs []int64 `json:"member_biz_ids"`
	ScopeFields
}

// UpdateBizSetRequest is update_biz_set; MemberBizIDs, when given,
// replaces the members.
type UpdateBizSetRequest struct {
	api.Platform
	Operator     string   `json:"operator,omitempty" web:"-"`
	BizSetID     int64    `json:"bk_biz_set_id"`
	MemberBizIDs *[]int64 `json:"member_biz_ids,omitempty"`
	ScopeFields
	Disabled *bool `json:"disabled,omitempty"`
}

// TakeActor records the caller as the operator; the door calls it.
func (r *CreateBizRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *UpdateBizRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *CreateBizSetRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *UpdateBizSetRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// Errors of the scope administration.
var (
	// ErrScopeExists: a business or set already has that id.
	ErrScopeExists = errs.New("scope.exists", http.StatusConflict, "a business or business set with this id already exists")
	// ErrScopeInUse: the business is a member of a business set, or is
	// the default business agents join.
	ErrScopeInUse = errs.New("scope.inUse", http.StatusConflict, "the business is in use")
	// ErrNotForBizSet: the operation is not supported in a business set
	// (bk-job's NOT_SUPPORT_FEATURE_FOR_BIZ_SET).
	ErrNotForBizSet = errs.New("scope.notForBizSet", http.StatusBadRequest, "not supported for business sets")
)
