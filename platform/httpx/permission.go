package httpx

import (
	"context"
	"errors"
	"net/http"

	"github.com/bkjob/bkjob/platform/errs"
)

// Action is a bk-job IAM action id, the unit a permission is granted in.
type Action string

// The actions bkjob checks today. Every scoped request needs at least
// ActionAccessBusiness; reading a step's log needs ActionViewHistory.
const (
	ActionAccessBusiness Action = "access_business"
	ActionViewHistory    Action = "view_history"
)

// Name is the action's display name in the permission object.
func (a Action) Name() string {
	switch a {
	case ActionAccessBusiness:
		return "Access business"
	case ActionViewHistory:
		return "View execution history"
	default:
		return string(a)
	}
}

// SystemID is bk-job's IAM system id, which the permission object names.
const SystemID = "bk_job"

// ErrPermissionDenied is the refusal of a scope the actor was not granted:
// HTTP 403 on the web API, bk-job's 1238001 in the v3 envelope.
var ErrPermissionDenied = errs.New("auth.permissionDenied", http.StatusForbidden, "permission denied")

// Permission is BlueKing IAM's "apply for permission" object, as bk-job
// puts it in the v3 envelope of a 1238001 answer: what was missing, on what.
type Permission struct {
	SystemID   string             `json:"system_id"`
	SystemName string             `json:"system_name"`
	Actions    []PermissionAction `json:"actions"`
}

// PermissionAction is one missing action and the resources it was missing on.
type PermissionAction struct {
	ID                   string                `json:"id"`
	Name                 string                `json:"name"`
	RelatedResourceTypes []RelatedResourceType `json:"related_resource_types"`
}

// RelatedResourceType names the resources (here: one scope) of an action.
type RelatedResourceType struct {
	SystemID   string               `json:"system_id"`
	SystemName string               `json:"system_name"`
	Type       string               `json:"type"`
	TypeName   string               `json:"type_name"`
	Instances  [][]ResourceInstance `json:"instances"`
}

// ResourceInstance is one resource: a business or a business set.
type ResourceInstance struct {
	Type     string `json:"type"`
	TypeName string `json:"type_name"`
	ID       string `json:"id"`
	Name     string `json:"name"`
}

// PermissionError is a refusal carrying the Permission to apply for. It
// unwraps to an *errs.Error matching ErrPermissionDenied, so the error
// mappers give it status 403 and code 1238001.
type PermissionError struct {
	Err        *errs.Error
	Permission Permission
}

func (e *PermissionError) Error() string { return e.Err.Error() }
func (e *PermissionError) Unwrap() error { return e.Err }

// PermissionOf returns the Permission carried by err, or nil.
func PermissionOf(err error) *Permission {
	var pe *PermissionError
	if errors.As(err, &pe) {
		return &pe.Permission
	}
	return nil
}

// CheckScope is the one permission check every scoped request goes through
// (the v3 API via manage.ResolveScopeParams, the web log stream and export):
// it returns nil when ctx's actor is granted action on the scope
// (scopeType "biz" or "biz_set"), and a *PermissionError naming both
// otherwise. A context without an actor is refused.
func CheckScope(ctx context.Context, action Action, scopeType, scopeID string) error {
	a, ok := ActorFrom(ctx)
	if ok && a.Granted(action, scopeType, scopeID) {
		return nil
	}
	who := "caller"
	if ok {
		who = a.String()
	}
	return &PermissionError{
		Err:        ErrPermissionDenied.Withf("%s has no permission to %s on %s %s", who, action, scopeType, scopeID),
		Permission: scopePermission(action, scopeType, scopeID),
	}
}

// scopePermission fills the IAM shape for action on one scope. bk-job's
// scope resources belong to CMDB: "biz" and "business_set".
func scopePermission(action Action, scopeType, scopeID string) Permission {
	typ, typeName := "biz", "Business"
	if scopeType == "biz_set" {
		typ, typeName = "business_set", "Business set"
	}
	return Permission{
		SystemID:   SystemID,
		SystemName: "Job",
		Actions: []PermissionAction{{
			ID:   string(action),
			Name: action.Name(),
			RelatedResourceTypes: []RelatedResourceType{{
				SystemID: "bk_cmdb", SystemName: "CMDB", Type: typ, TypeName: typeName,
				Instances: [][]ResourceInstance{{{Type: typ, TypeName: typeName, ID: scopeID, Name: scopeID}}},
			}},
		}},
	}
}
