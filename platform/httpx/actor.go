package httpx

import (
	"context"

	"github.com/labstack/echo/v4"
)

// Actor is who makes a request: a logged-in user (web) or an API app acting
// for a user (OpenAPI). Every request carries one, so permission checks and
// audit records can wrap any action.
type Actor struct {
	Username string `json:"username"`
	AppCode  string `json:"app_code,omitempty"`
	// AllScopes is true for bootstrap apps and admins that may act on every scope.
	AllScopes bool `json:"all_scopes"`
}

// Granted reports whether the actor may perform action on the scope
// (scopeType "biz" or "biz_set", scopeID its id). There are no per-scope
// grants yet: only an actor with AllScopes is granted anything. CheckScope
// is the one caller; the roles of a later release change only this.
func (a Actor) Granted(_ Action, _, _ string) bool {
	return a.AllScopes
}

// String names the actor in messages and logs: "user alice", "app ci for
// user alice".
func (a Actor) String() string {
	switch {
	case a.AppCode == "":
		return "user " + a.Username
	case a.Username == "" || a.Username == a.AppCode:
		return "app " + a.AppCode
	default:
		return "app " + a.AppCode + " for user " + a.Username
	}
}

type actorKey struct{}

// WithActor stores the actor on ctx.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor on ctx, and whether there is one.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// ActorOf returns the actor of an echo request.
func ActorOf(c echo.Context) (Actor, bool) { return ActorFrom(c.Request().Context()) }

// SetActor stores the actor on the echo request's context.
func SetActor(c echo.Context, a Actor) {
	c.SetRequest(c.Request().WithContext(WithActor(c.Request().Context(), a)))
}
