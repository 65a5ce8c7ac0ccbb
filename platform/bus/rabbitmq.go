package bus

import (
	"context"
	"fmt"
	"os"
	"sync"

	amqp "github.com/rabbitmq/amqp091-go"
)

var _ Bus = (*RabbitMQ)(nil)

// RabbitMQ is the Bus over a RabbitMQ broker (amqp091-go). It declares its
// own topology, named from the exchange prefix P:
//
//   - events: topic exchange "P.events"; one durable queue "P.event.<topic>@<group>"
//     per subscriber group, bound with the topic as routing key; persistent
//     messages, publisher confirms, manual acks after the handler returns nil.
//   - broadcasts: topic exchange "P.broadcast"; one exclusive, auto-delete,
//     server-named queue per subscription.
//   - calls: queue "P.rpc.<method>" (auto-delete, so a call with no handler
//     left is returned at once as ErrNoHandler) shared by competing handlers;
//     replies come back over direct reply-to, matched by correlation id.
//
// It reconnects by itself after the broker restarts: every consumer re-declares
// its topology and consumes again, and Publish retries until it is confirmed
// or ctx ends.
type RabbitMQ struct {
	prefix string
	opts   Options
	st     counters
	conn   *connManager
	pub    *publisher
	rpc    *rpcClient

	ctx    context.Context // ends on Close; parent of consumers
	cancel context.CancelFunc

	mu        sync.Mutex
	closed    bool
	consumers map[*consumer]struct{}
}

// DialRabbitMQ connects to url (retrying until ctx ends, or CallTimeout when
// ctx has no deadline) and returns a bus using exchanges named from prefix.
func DialRabbitMQ(ctx context.Context, url, prefix string, opts Options) (*RabbitMQ, error) {
	opts = opts.withDefaults()
	ctx, cancel := opts.bounded(ctx)
	defer cancel()
	host, _ := os.Hostname()
	conn, err := dialConnManager(ctx, url, fmt.Sprintf("bkjob %s pid %d", host, os.Getpid()), opts.Log)
	if err != nil {
		return nil, err
	}
	r := &RabbitMQ{prefix: prefix, opts: opts, conn: conn, consumers: map[*consumer]struct{}{}}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.pub = &publisher{conn: conn, exchanges: []string{r.eventsExchange(), r.broadcastExchange()}}
	r.rpc = newRPCClient(conn)
	return r, nil
}

func (r *RabbitMQ) eventsExchange() string    { return r.prefix + ".events" }
func (r *RabbitMQ) broadcastExchange() string { return r.prefix + ".broadcast" }
func (r *RabbitMQ) rpcQueue(method string) string {
	return r.prefix + ".rpc." + method
}
func (r *RabbitMQ) eventQueue(topic, group string) string {
	return r.prefix + ".event." + topic + "@" + group
}

// Stats returns the counters of this bus.
func (r *RabbitMQ) Stats() Stats { return r.st.snapshot() }

func (r *RabbitMQ) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// Publish implements Bus. It returns nil only once the broker confirmed the
// (persistent) message; while the broker is unreachable it retries until ctx
// ends (CallTimeout when ctx has no deadline), and then returns an error.
func (r *RabbitMQ) Publish(ctx context.Context, topic string, event any) error {
	return r.send(ctx, "event", r.eventsExchange(), topic, event, amqp.Persistent)
}

// Broadcast implements Bus, with the same confirmation as Publish.
func (r *RabbitMQ) Broadcast(ctx context.Context, topic string, event any) error {
	return r.send(ctx, "broadcast", r.broadcastExchange(), topic, event, amqp.Transient)
}

func (r *RabbitMQ) send(ctx context.Context, what, exchange, topic string, event any, mode uint8) error {
	if r.isClosed() {
		return ErrClosed
	}
	body, err := marshalPayload(what, topic, event)
	if err != nil {
		return err
	}
	ctx, cancel := r.opts.bounded(ctx)
	defer cancel()
	if err := r.pub.publish(ctx, exchange, topic, body, mode); err != nil {
		return r.conn.unreachable(fmt.Errorf("publish %s %s: %w", what, topic, err))
	}
	r.st.published.Add(1)
	return nil
}

// Subscribe implements Bus. The durable queue of (topic, group) is declared
// and bound before Subscribe returns.
func (r *RabbitMQ) Subscribe(topic, group string, h EventHandler) (Subscription, error) {
	queue := r.eventQueue(topic, group)
	setup := func(ch *amqp.Channel) (string, error) {
		if err := declareExchange(ch, r.eventsExchange()); err != nil {
			return "", err
		}
		if _, err := ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
			return "", fmt.Errorf("declare queue %s: %w", queue, err)
		}
		if err := ch.QueueBind(queue, topic, r.eventsExchange(), false, nil); err != nil {
			return "", fmt.Errorf("bind queue %s: %w", queue, err)
		}
		return queue, nil
	}
	return r.startConsumer("event", topic, setup, r.eventHandler(topic, h))
}

// SubscribeBroadcast implements Bus with a server-named exclusive queue that
// the broker deletes with the subscription (or the connection).
func (r *RabbitMQ) SubscribeBroadcast(topic string, h EventHandler) (Subscription, error) {
	setup := func(ch *amqp.Channel) (string, error) {
		if err := declareExchange(ch, r.broadcastExchange()); err != nil {
			return "", err
		}
		q, err := ch.QueueDeclare("", false, true, true, false, nil)
		if err != nil {
			return "", fmt.Errorf("declare broadcast queue for %s: %w", topic, err)
		}
		if err := ch.QueueBind(q.Name, topic, r.broadcastExchange(), false, nil); err != nil {
			return "", fmt.Errorf("bind queue %s: %w", q.Name, err)
		}
		return q.Name, nil
	}
	return r.startConsumer("broadcast", topic, setup, r.eventHandler(topic, h))
}

// Handle implements Bus. The method's queue is declared before Handle returns.
func (r *RabbitMQ) Handle(method string, h CallHandler) error {
	queue := r.rpcQueue(method)
	setup := func(ch *amqp.Channel) (string, error) {
		if _, err := ch.QueueDeclare(queue, false, true, false, false, nil); err != nil {
			return "", fmt.Errorf("declare queue %s: %w", queue, err)
		}
		return queue, nil
	}
	_, err := r.startConsumer("call", method, setup, r.callHandler(h))
	return err
}

func declareExchange(ch *amqp.Channel, name string) error {
	if err := ch.ExchangeDeclare(name, amqp.ExchangeTopic, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare exchange %s: %w", name, err)
	}
	return nil
}

// Close stops every consumer (waiting for running handlers, which see their
// context cancelled; unacknowledged events return to their queues), then
// closes the connection. Calls still waiting fail.
func (r *RabbitMQ) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	consumers := make([]*consumer, 0, len(r.consumers))
	for c := range r.consumers {
		consumers = append(consumers, c)
	}
	r.mu.Unlock()

	r.cancel()
	for _, c := range consumers {
		c.stop()
	}
	r.conn.close()
	return nil
}
