package manage

import (
	"context"

	"github.com/bkjob/bkjob/platform/bus"
)

// Client carries Service calls over the bus to a manage role elsewhere (or
// in this process, when bus.force_remote is set).
type Client struct{ b bus.Bus }

var _ Full = (*Client)(nil)

// NewClient returns a remote Service.
func NewClient(b bus.Bus) *Client { return &Client{b: b} }

type resolveScopeReq struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type accountReq struct {
	BizID int64      `json:"biz_id"`
	Ref   AccountRef `json:"ref"`
}

func (c *Client) ResolveScope(ctx context.Context, scopeType, scopeID string) (Scope, error) {
	return bus.Call[resolveScopeReq, Scope](ctx, c.b, MethodResolveScope, resolveScopeReq{scopeType, scopeID})
}

func (c *Client) Account(ctx context.Context, bizID int64, ref AccountRef) (Account, error) {
	return bus.Call[accountReq, Account](ctx, c.b, MethodAccount, accountReq{bizID, ref})
}

// Serve registers svc's handlers on the bus, so remote clients reach it.
func Serve(b bus.Bus, svc Full) error {
	if err := bus.Handle(b, MethodResolveScope, func(ctx context.Context, r resolveScopeReq) (Scope, error) {
		return svc.ResolveScope(ctx, r.Type, r.ID)
	}); err != nil {
		return err
	}
	if err := bus.Handle(b, MethodAccount, func(ctx context.Context, r accountReq) (Account, error) {
		return svc.Account(ctx, r.BizID, r.Ref)
	}); err != nil {
		return err
	}
	return serveFull(b, svc)
}
