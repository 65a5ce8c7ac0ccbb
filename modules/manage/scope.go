package manage

import (
	"context"
	"errors"
	"strconv"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// ScopeParams checks a request's bk_scope_type + bk_scope_id, or reads the
// deprecated bk_biz_id as a business, and returns the scope to resolve.
// Errors name the parameter at fault.
func ScopeParams(scopeType, scopeID string, bizID int64) (typ, id string, err error) {
	typ, id = scopeType, scopeID
	if typ == "" && id == "" {
		if bizID <= 0 {
			return "", "", errs.Required("bk_scope_id").Withf("is required: give bk_scope_type and bk_scope_id (or the deprecated bk_biz_id)")
		}
		typ, id = "biz", strconv.FormatInt(bizID, 10)
	}
	switch {
	case typ == "":
		return "", "", errs.Required("bk_scope_type").Withf("is required with bk_scope_id: biz or biz_set")
	case typ != "biz" && typ != "biz_set":
		return "", "", errs.Invalid("bk_scope_type", "must be biz or biz_set, got %q", typ)
	case id == "":
		return "", "", errs.Required("bk_scope_id").Withf("is required with bk_scope_type")
	}
	return typ, id, nil
}

// ResolveScopeParams checks a request's bk_scope_type + bk_scope_id (or the
// deprecated bk_biz_id, read as a business) and resolves them through svc.
// Errors name the parameter at fault; an unknown scope is ErrScopeNotFound
// on bk_scope_id. The caller (the actor on ctx) must be granted the scope
// (httpx.CheckScope, access_business): otherwise the error is an
// *httpx.PermissionError. Every OpenAPI v3 endpoint calls it before its
// service.
func ResolveScopeParams(ctx context.Context, svc Service, scopeType, scopeID string, bizID int64) (Scope, error) {
	typ, id, err := ScopeParams(scopeType, scopeID, bizID)
	if err != nil {
		return Scope{}, err
	}
	// Refused before manage is asked, so a caller cannot probe which
	// scopes exist.
	if err := httpx.CheckScope(ctx, httpx.ActionAccessBusiness, typ, id); err != nil {
		return Scope{}, err
	}
	sc, err := svc.ResolveScope(ctx, typ, id)
	if errors.Is(err, ErrScopeNotFound) {
		return Scope{}, ErrScopeNotFound.Withf("scope %s:%s not found", typ, id).OnField("bk_scope_id")
	}
	if err != nil {
		return Scope{}, err
	}
	// The scope the roles behind will act in is the canonical one: the
	// caller must hold that one too, not only the spelling it sent (a
	// database collation may match "1 " or "BIZ" to it).
	if sc.Type != typ || sc.ID != id {
		if err := httpx.CheckScope(ctx, httpx.ActionAccessBusiness, sc.Type, sc.ID); err != nil {
			return Scope{}, err
		}
	}
	return sc, nil
}

// ResolveScopeRef is ResolveScopeParams for a request's scope: it writes
// the canonical scope back and marks it resolved, so the roles behind the
// door do not resolve it again. Whatever the client sent as resolved is
// overwritten.
func ResolveScopeRef(ctx context.Context, svc Service, s *api.ScopeRef) error {
	sc, err := ResolveScopeParams(ctx, svc, s.ScopeType, s.ScopeID, s.BizID)
	if err != nil {
		return err
	}
	*s = api.ScopeRef{ScopeType: sc.Type, ScopeID: sc.ID, BizID: sc.BizID, Resolved: true}
	return nil
}
