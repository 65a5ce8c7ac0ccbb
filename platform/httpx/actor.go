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
