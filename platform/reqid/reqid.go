// Package reqid carries a request's id in its context, from the HTTP
// request that started it across the bus to the role that handles it, so a
// failure logged on either side can be found from the id a client was given.
package reqid

import "context"

type key struct{}

// With returns ctx carrying id; an empty id leaves ctx as it is.
func With(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, key{}, id)
}

// From returns the request id ctx carries, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}
