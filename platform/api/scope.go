package api

// ScopeRef is the scope a request names: bk_scope_type + bk_scope_id, or the
// deprecated bk_biz_id.
type ScopeRef struct {
	ScopeType string `json:"bk_scope_type,omitempty"`
	ScopeID   string `json:"bk_scope_id,omitempty"`
	BizID     int64  `json:"bk_biz_id,omitempty"`
	// Resolved is set by the door that checked the scope against manage and
	// the caller's permission on it: ScopeType, ScopeID and BizID are then
	// canonical and the role behind the door does not resolve them again.
	// Whatever a client sends here is overwritten at the door.
	Resolved bool `json:"scope_resolved,omitempty" web:"-"`
}

// Scope returns the request's scope for the door to resolve; requests get
// it by embedding ScopeRef.
func (s *ScopeRef) Scope() *ScopeRef { return s }

// Scoped is a request that names a scope.
type Scoped interface {
	Scope() *ScopeRef
}

// Surface is the API a request entered by: it decides, for example,
// bk-job's startup mode of a job.
type Surface int

// The surfaces.
const (
	SurfaceV3 Surface = iota + 1
	SurfaceWeb
)

// ActorTaker is a request that records who made it. The door sets it from
// the authenticated actor, never from the request body.
type ActorTaker interface {
	TakeActor(username, appCode string, surface Surface)
}

// Platform is embedded by a request that acts on the platform rather than
// in one scope (list_scopes, create_biz): it names no scope, so the door
// resolves none. The door serves such a method only when it is declared
// admin, or when its answer lists scopes (ScopeLister) and is cut to those
// the caller may use, or when it reads what the platform shares with every
// signed-in caller (Shared); any other is refused (httpx.serve), so no
// endpoint escapes the scope check by embedding Platform.
type Platform struct{}

// Scope is nil: there is no scope to resolve.
func (*Platform) Scope() *ScopeRef { return nil }

// PlatformWide marks the request as one that names no scope.
func (*Platform) PlatformWide() {}

// PlatformWide is a request that embeds Platform.
type PlatformWide interface{ PlatformWide() }

// Shared is embedded by a request on what the platform shares with every
// signed-in caller (bk-job's public scripts): like Platform it names no
// scope; the door serves its reads to anyone it let in, and its writes are
// declared admin.
type Shared struct{ Platform }

// SharedData marks the request as one on shared platform data.
func (*Shared) SharedData() {}

// SharedData is a request that embeds Shared.
type SharedData interface{ SharedData() }

// ScopeLister is an answer listing scopes. The door keeps only the scopes
// the caller may use (the same check as every scoped request) before the
// answer leaves, so the role behind never needs to know who asked.
type ScopeLister interface {
	KeepScopes(keep func(scopeType, scopeID string) bool)
}
