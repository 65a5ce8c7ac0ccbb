package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"

	amqp "github.com/rabbitmq/amqp091-go"
)

// consumer is one subscription or call handler: its own channel with
// Qos(Prefetch), re-opened with its topology after every connection loss.
type consumer struct {
	r      *RabbitMQ
	kind   string // event, broadcast, call: for logs
	name   string // topic or method
	setup  func(ch *amqp.Channel) (queue string, err error)
	handle func(ctx context.Context, ch *amqp.Channel, d amqp.Delivery)

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// startConsumer sets the consumer up once synchronously, so the queue exists
// and is bound when it returns, then keeps it alive in the background.
func (r *RabbitMQ) startConsumer(kind, name string, setup func(*amqp.Channel) (string, error), handle func(context.Context, *amqp.Channel, amqp.Delivery)) (*consumer, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, ErrClosed
	}
	ctx, cancel := context.WithCancel(r.ctx) //nolint:gosec // G118: c.cancel, called when the consumer stops
	c := &consumer{r: r, kind: kind, name: name, setup: setup, handle: handle, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	r.consumers[c] = struct{}{}
	r.mu.Unlock()

	first, firstCancel := context.WithTimeout(ctx, r.opts.CallTimeout)
	ch, deliveries, err := c.open(first)
	firstCancel()
	if err != nil {
		close(c.done)
		c.remove()
		return nil, fmt.Errorf("consume %s %s: %w", kind, name, err)
	}
	go c.run(ch, deliveries)
	return c, nil
}

func (c *consumer) open(ctx context.Context) (*amqp.Channel, <-chan amqp.Delivery, error) {
	ch, err := c.r.conn.channel(ctx)
	if err != nil {
		return nil, nil, err
	}
	deliveries, err := c.declareAndConsume(ch)
	if err != nil {
		_ = ch.Close()
		return nil, nil, err
	}
	return ch, deliveries, nil
}

func (c *consumer) declareAndConsume(ch *amqp.Channel) (<-chan amqp.Delivery, error) {
	if err := ch.Qos(c.r.opts.Prefetch, 0, false); err != nil {
		return nil, fmt.Errorf("set prefetch: %w", err)
	}
	queue, err := c.setup(ch)
	if err != nil {
		return nil, err
	}
	deliveries, err := ch.Consume(queue, "", false, false, false, false, nil)
	if err != nil {
		return nil, fmt.Errorf("consume queue %s: %w", queue, err)
	}
	return deliveries, nil
}

func (c *consumer) run(ch *amqp.Channel, deliveries <-chan amqp.Delivery) {
	defer close(c.done)
	for {
		c.serve(ch, deliveries)
		if c.ctx.Err() != nil {
			return
		}
		c.r.opts.Log.Warn("bus consumer lost its channel", "kind", c.kind, "name", c.name)
		for attempt := 1; ; attempt++ {
			var err error
			if ch, deliveries, err = c.open(c.ctx); err == nil {
				c.r.opts.Log.Info("bus consumer resumed", "kind", c.kind, "name", c.name)
				break
			}
			if c.ctx.Err() != nil {
				return
			}
			c.r.opts.Log.Warn("bus consumer reopen failed", "kind", c.kind, "name", c.name, "err", err)
			if !sleepCtx(c.ctx, backoff(attempt, reconnectMin, reconnectMax)) {
				return
			}
		}
	}
}

// serve hands deliveries to handlers (the broker keeps at most Prefetch
// unacknowledged, so at most Prefetch run at once) until the channel closes
// or the consumer stops. Either way it cancels and waits for running
// handlers: after a lost channel their acks cannot reach the broker, which
// redelivers those events to the next channel.
func (c *consumer) serve(ch *amqp.Channel, deliveries <-chan amqp.Delivery) {
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	var inflight sync.WaitGroup
	defer inflight.Wait()
	for {
		select {
		case d, ok := <-deliveries:
			if !ok {
				// The consumer ended (channel lost, or the broker cancelled
				// it, say on a queue failover, leaving the channel open):
				// let running handlers finish, then close the channel so a
				// cancelled consumer does not leak it.
				cancel()
				inflight.Wait()
				_ = ch.Close()
				return
			}
			inflight.Add(1)
			go func() {
				defer inflight.Done()
				c.handle(ctx, ch, d)
			}()
		case <-c.ctx.Done():
			inflight.Wait()
			// Deliveries prefetched but not handled go back to the queue.
			_ = ch.Close()
			return
		}
	}
}

// Unsubscribe implements Subscription.
func (c *consumer) Unsubscribe() error {
	c.stop()
	c.remove()
	return nil
}

func (c *consumer) stop() {
	c.once.Do(c.cancel)
	<-c.done
}

func (c *consumer) remove() {
	c.r.mu.Lock()
	delete(c.r.consumers, c)
	c.r.mu.Unlock()
}

// eventHandler acks after h returns nil (or ErrDiscard) and otherwise
// requeues after a backoff that grows with the failures of that message.
func (r *RabbitMQ) eventHandler(topic string, h EventHandler) func(context.Context, *amqp.Channel, amqp.Delivery) {
	var failures attempts
	return func(ctx context.Context, _ *amqp.Channel, d amqp.Delivery) {
		err := h(ctx, Message{Topic: topic, Body: d.Body, Redelivered: d.Redelivered})
		if err == nil || errors.Is(err, ErrDiscard) {
			if err != nil {
				r.opts.Log.Warn("bus event discarded", "topic", topic, "err", err)
			}
			failures.forget(d.MessageId)
			r.st.consumed.Add(1)
			if aerr := d.Ack(false); aerr != nil {
				r.opts.Log.Warn("bus ack failed, event will be redelivered", "topic", topic, "err", aerr)
			}
			return
		}
		r.st.failed.Add(1)
		n := failures.add(d.MessageId)
		logFailure(ctx, r.opts.Log, topic, n, err)
		sleepCtx(ctx, r.opts.retryDelay(n))
		if nerr := d.Nack(false, true); nerr != nil {
			r.opts.Log.Debug("bus nack failed, event will be redelivered", "topic", topic, "err", nerr)
		}
	}
}

// attempts counts failures per message id, for the redelivery backoff.
type attempts struct {
	mu sync.Mutex
	n  map[string]int
}

const maxTrackedFailures = 10000

func (a *attempts) add(id string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n == nil || len(a.n) >= maxTrackedFailures {
		a.n = map[string]int{}
	}
	a.n[id]++
	return a.n[id]
}

func (a *attempts) forget(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.n, id)
}
