package bus

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/reqid"
)

const (
	directReplyTo   = "amq.rabbitmq.reply-to"
	headerDeadline  = "x-bkjob-deadline"   // unix milliseconds
	headerRequestID = "x-bkjob-request-id" // reqid of the call's context
)

// rpcClient is the caller side of calls: one channel that consumes direct
// reply-to and publishes requests (mandatory, so a request for a method with
// no queue comes back as a return), re-opened after a connection loss.
type rpcClient struct {
	conn    *connManager
	opening chan struct{} // one opener at a time, ctx-aware

	mu      sync.Mutex
	gen     *rpcGen
	pending map[string]chan callResult
}

// rpcGen is one incarnation of the reply channel; done closes with it.
type rpcGen struct {
	ch   *amqp.Channel
	done chan struct{}
}

type callResult struct {
	body []byte
	err  error
}

func newRPCClient(conn *connManager) *rpcClient {
	return &rpcClient{conn: conn, opening: make(chan struct{}, 1), pending: map[string]chan callResult{}}
}

// Call implements Bus. Without a handler it fails at once with ErrNoHandler;
// past ctx's deadline (CallTimeout when it has none) it returns an error
// matching both context.DeadlineExceeded and errs.ErrTimeout; a connection
// lost while waiting gives errs.ErrUnavailable (the handler may have run).
// A call that fails while the broker is out of reach is also
// errs.ErrBroker (the code a client is answered with).
func (r *RabbitMQ) Call(ctx context.Context, method string, req, resp any) error {
	if r.isClosed() {
		return ErrClosed
	}
	body, err := marshalPayload("call", method, req)
	if err != nil {
		return err
	}
	ctx, cancel := r.opts.bounded(ctx)
	defer cancel()
	id := uuid.NewString()
	res := r.rpc.register(id)
	defer r.rpc.unregister(id)
	gen, err := r.rpc.send(ctx, r.rpcQueue(method), id, body)
	if err != nil {
		if ctx.Err() != nil {
			return r.conn.unreachable(callTimeoutError(ctx, method))
		}
		return r.conn.unreachable(fmt.Errorf("call %s: %w", method, err))
	}
	r.st.calls.Add(1)
	select {
	case out := <-res:
		return r.result(ctx, method, out, resp)
	case <-gen.done:
		select {
		case out := <-res:
			return r.result(ctx, method, out, resp)
		default:
			return errs.Unreachable(errs.ErrBroker, fmt.Errorf("call %s: connection lost before the reply: %w", method, errs.ErrUnavailable))
		}
	case <-ctx.Done():
		return callTimeoutError(ctx, method)
	}
}

func (r *RabbitMQ) result(ctx context.Context, method string, out callResult, resp any) error {
	if out.err != nil {
		return fmt.Errorf("call %s: %w", method, out.err)
	}
	return replyError(ctx, method, out.body, resp)
}

func (c *rpcClient) register(id string) chan callResult {
	res := make(chan callResult, 1)
	c.mu.Lock()
	c.pending[id] = res
	c.mu.Unlock()
	return res
}

func (c *rpcClient) unregister(id string) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

func (c *rpcClient) deliver(id string, out callResult) {
	c.mu.Lock()
	res := c.pending[id]
	c.mu.Unlock()
	if res != nil {
		select {
		case res <- out:
		default:
		}
	}
}

// send publishes the request, retrying while no channel can carry it.
func (c *rpcClient) send(ctx context.Context, queue, id string, body []byte) (*rpcGen, error) {
	deadline, _ := ctx.Deadline()
	for attempt := 1; ; attempt++ {
		gen, err := c.generation(ctx)
		if err != nil {
			return nil, err
		}
		ttl := time.Until(deadline).Milliseconds()
		if ttl <= 0 {
			return nil, context.DeadlineExceeded
		}
		err = gen.ch.PublishWithContext(ctx, "", queue, true, false, amqp.Publishing{
			ContentType:   "application/json",
			CorrelationId: id,
			ReplyTo:       directReplyTo,
			Expiration:    strconv.FormatInt(ttl, 10),
			Headers:       callHeaders(ctx, deadline),
			Body:          body,
		})
		if err == nil {
			return gen, nil
		}
		if !sleepCtx(ctx, backoff(attempt, reopenChannelIn, reconnectMax)) {
			return nil, ctx.Err()
		}
	}
}

// generation returns the live reply channel, opening one when needed.
func (c *rpcClient) generation(ctx context.Context) (*rpcGen, error) {
	select {
	case c.opening <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.opening }()
	c.mu.Lock()
	gen := c.gen
	c.mu.Unlock()
	if gen != nil && !gen.ch.IsClosed() {
		return gen, nil
	}
	ch, err := c.conn.channel(ctx)
	if err != nil {
		return nil, err
	}
	replies, err := ch.Consume(directReplyTo, "", true, false, false, false, nil)
	if err != nil {
		_ = ch.Close()
		return nil, fmt.Errorf("consume replies: %w", err)
	}
	returns := ch.NotifyReturn(make(chan amqp.Return, 16))
	gen = &rpcGen{ch: ch, done: make(chan struct{})}
	go c.pump(gen, replies, returns)
	c.mu.Lock()
	c.gen = gen
	c.mu.Unlock()
	return gen, nil
}

// pump routes replies and returned (unroutable) requests to their callers.
func (c *rpcClient) pump(gen *rpcGen, replies <-chan amqp.Delivery, returns <-chan amqp.Return) {
	defer close(gen.done)
	for {
		select {
		case d, ok := <-replies:
			if !ok {
				return
			}
			c.deliver(d.CorrelationId, callResult{body: d.Body})
		case ret, ok := <-returns:
			if !ok {
				returns = nil
				continue
			}
			c.deliver(ret.CorrelationId, callResult{err: ErrNoHandler})
		}
	}
}

// callHandler answers one request and acks it once answered (the ack is
// what bounds running handlers to the prefetch). Calls run at most once: a
// request the broker redelivers (its first handler lost its channel, maybe
// mid-call) is answered ErrUnavailable without running, so a call that
// creates something cannot create it twice; the caller may retry.
func (r *RabbitMQ) callHandler(h CallHandler) func(context.Context, *amqp.Channel, amqp.Delivery) {
	return func(ctx context.Context, ch *amqp.Channel, d amqp.Delivery) {
		defer func() { _ = d.Ack(false) }()
		deadline, _ := d.Headers[headerDeadline].(int64)
		id, _ := d.Headers[headerRequestID].(string)
		if deadline > 0 && time.Now().UnixMilli() >= deadline {
			return // the caller has given up
		}
		var (
			res any
			err error
		)
		if d.Redelivered {
			err = errs.ErrUnavailable.Withf("call %s was interrupted in its handler and is not run twice; retry it", d.RoutingKey)
		} else {
			hctx, cancel := handlerContext(ctx, deadline)
			res, err = h(reqid.With(hctx, id), d.Body)
			cancel()
		}
		r.st.handled.Add(1)
		if d.ReplyTo == "" {
			return
		}
		body := encodeReply(reqid.With(ctx, id), r.opts.Log, d.RoutingKey, res, err)
		out := amqp.Publishing{ContentType: "application/json", CorrelationId: d.CorrelationId, Body: body}
		// The answer goes out even when the consumer is stopping meanwhile:
		// the caller is waiting for it.
		if perr := ch.PublishWithContext(context.WithoutCancel(ctx), "", d.ReplyTo, false, false, out); perr != nil {
			r.opts.Log.Warn("bus reply failed", "err", perr)
		}
	}
}

// callHeaders are a request's headers: the caller's deadline and, when its
// context has one, the request id the handler logs failures under.
func callHeaders(ctx context.Context, deadline time.Time) amqp.Table {
	h := amqp.Table{headerDeadline: ceilMillis(deadline)}
	if id := reqid.From(ctx); id != "" {
		h[headerRequestID] = id
	}
	return h
}
