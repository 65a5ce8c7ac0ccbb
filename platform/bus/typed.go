package bus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/bkjob/bkjob/platform/errs"
)

// Call sends req to method and decodes the reply as Resp, so a remote client
// is one line per method:
//
//	func (c client) GetPlan(ctx context.Context, r GetPlanReq) (Plan, error) {
//		return bus.Call[GetPlanReq, Plan](ctx, c.b, "manage.getPlan", r)
//	}
func Call[Req, Resp any](ctx context.Context, b Bus, method string, req Req) (Resp, error) {
	var resp Resp
	err := b.Call(ctx, method, req, &resp)
	return resp, err
}

// Handle registers fn for method, decoding each request as Req. A request
// that does not decode is answered with errs.ErrInvalid.
func Handle[Req, Resp any](b Bus, method string, fn func(context.Context, Req) (Resp, error)) error {
	return b.Handle(method, func(ctx context.Context, raw json.RawMessage) (any, error) {
		var req Req
		if err := json.Unmarshal(raw, &req); err != nil {
			e := errs.InvalidJSON(raw, err)
			return nil, e.Withf("decode %s request: %s", method, e.Message)
		}
		return fn(ctx, req)
	})
}

// Subscribe consumes topic as a member of group, decoding each event as E.
// An event that does not decode is discarded (see ErrDiscard) rather than
// redelivered forever.
func Subscribe[E any](b Bus, topic, group string, fn func(context.Context, E) error) (Subscription, error) {
	return b.Subscribe(topic, group, decoded(topic, fn))
}

// SubscribeBroadcast is Subscribe for broadcasts.
func SubscribeBroadcast[E any](b Bus, topic string, fn func(context.Context, E) error) (Subscription, error) {
	return b.SubscribeBroadcast(topic, decoded(topic, fn))
}

func decoded[E any](topic string, fn func(context.Context, E) error) EventHandler {
	return func(ctx context.Context, msg Message) error {
		var ev E
		if err := msg.Decode(&ev); err != nil {
			return fmt.Errorf("decode %s event: %w (%w)", topic, err, ErrDiscard)
		}
		return fn(ctx, ev)
	}
}
