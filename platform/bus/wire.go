package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/reqid"
)

// ErrDiscard is what an EventHandler returns (or wraps) to acknowledge an
// event that can never be handled (say, a body that does not decode) instead
// of having it redelivered forever. The event is logged and dropped.
var ErrDiscard = errors.New("discard event")

// reply is the wire form of a call's outcome, identical for every backend:
// exactly one of Result and Error is set.
type reply struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  *errs.Error     `json:"error,omitempty"`
}

// encodeReply turns a handler's outcome into the reply body. A typed error
// travels as its code, status, message and field. Any other error travels
// as "internal error" with the request id: its text is logged here, on the
// side that failed, and never reaches the caller (who may answer a client).
func encodeReply(ctx context.Context, log *slog.Logger, method string, result any, err error) []byte {
	var r reply
	if err != nil {
		r.Error = wireError(ctx, log, method, err)
	} else if result != nil {
		b, merr := json.Marshal(result)
		if merr != nil {
			r.Error = wireError(ctx, log, method, fmt.Errorf("encode reply: %w", merr))
		} else {
			r.Result = b
		}
	}
	b, merr := json.Marshal(r)
	if merr != nil {
		// Only reachable with a non-JSON-safe error message; keep the code.
		b, _ = json.Marshal(reply{Error: wireError(ctx, log, method, fmt.Errorf("encode reply error: %w", merr))})
	}
	return b
}

// wireError codes err for the caller. A context error of the handler's own
// becomes a timeout (its deadline is the caller's) or unavailable (it is
// shutting down); an untyped error becomes errs.Internal. Neither carries
// the handler's text, which is logged with the request id instead.
func wireError(ctx context.Context, log *slog.Logger, method string, err error) *errs.Error {
	var e *errs.Error
	if errors.As(err, &e) {
		return e
	}
	id := reqid.From(ctx)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		log.Warn("bus call timed out", "method", method, "request_id", id, "err", err)
		return errs.ErrTimeout.Withf("call %s timed out in its handler", method)
	case errors.Is(err, context.Canceled):
		log.Warn("bus call cut short", "method", method, "request_id", id, "err", err)
		return errs.ErrUnavailable.Withf("call %s was cut short: its handler is shutting down", method)
	}
	log.Error("bus call failed", "method", method, "request_id", id, "err", err)
	return errs.Internal(id)
}

// replyError is the outcome of a reply for the caller: a failure that lands
// at or after the caller's deadline is reported as the timeout itself (the
// handler's context ends at that deadline too, and may win the race).
func replyError(ctx context.Context, method string, body []byte, resp any) error {
	err := decodeReply(method, body, resp)
	if err != nil && (ctx.Err() != nil || pastDeadline(ctx)) {
		return callTimeoutError(ctx, method)
	}
	return err
}

func pastDeadline(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// decodeReply unmarshals a reply body into resp (which may be nil) or
// returns the handler's error as an *errs.Error with the same code.
func decodeReply(method string, body []byte, resp any) error {
	var r reply
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("call %s: decode reply: %w", method, err)
	}
	if r.Error != nil {
		e := *r.Error
		if e.Code == "" {
			e.Code, e.Status = errs.ErrInternal.Code, errs.ErrInternal.Status
		}
		return &e
	}
	if resp == nil || len(r.Result) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Result, resp); err != nil {
		return fmt.Errorf("call %s: decode reply: %w", method, err)
	}
	return nil
}

// marshalPayload encodes a request or event.
func marshalPayload(what, name string, v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", what, name, err)
	}
	return b, nil
}

// callTimeoutError is what Call returns when ctx ended before a reply: it
// matches both ctx.Err() and errs.ErrTimeout (for a deadline) under errors.Is.
func callTimeoutError(ctx context.Context, method string) error {
	if err := ctx.Err(); errors.Is(err, context.Canceled) {
		return fmt.Errorf("call %s: %w", method, err)
	}
	return fmt.Errorf("call %s: no reply: %w (%w)", method, context.DeadlineExceeded, errs.ErrTimeout)
}

// handlerContext gives a call handler the caller's deadline (carried as unix
// milliseconds on the wire) on top of the bus's own lifetime.
func handlerContext(base context.Context, deadlineMillis int64) (context.Context, context.CancelFunc) {
	if deadlineMillis <= 0 {
		return context.WithCancel(base)
	}
	return context.WithDeadline(base, time.UnixMilli(deadlineMillis))
}

// deadlineMillis is ctx's deadline in unix milliseconds rounded up (so the
// handler's context never ends before the caller's), or 0.
func deadlineMillis(ctx context.Context) int64 {
	d, ok := ctx.Deadline()
	if !ok {
		return 0
	}
	return ceilMillis(d)
}

func ceilMillis(t time.Time) int64 {
	return (t.UnixNano() + int64(time.Millisecond) - 1) / int64(time.Millisecond)
}
