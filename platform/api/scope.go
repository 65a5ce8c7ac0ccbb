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
