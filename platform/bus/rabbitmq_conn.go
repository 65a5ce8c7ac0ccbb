package bus

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/bkjob/bkjob/platform/errs"
)

// connManager owns the one AMQP connection of a RabbitMQ bus and replaces it
// when the broker drops it. Users ask for the current connection (waiting
// while there is none) and open their own channels on it; each of them
// notices a lost channel by itself and asks again.
type connManager struct {
	url  string
	name string
	log  *slog.Logger
	ctx  context.Context // ends when the bus closes the connection
	stop context.CancelFunc
	done chan struct{} // supervisor exited

	mu   sync.Mutex
	conn *amqp.Connection // nil while disconnected
	up   chan struct{}    // closed while conn is set
}

const (
	dialTimeout     = 5 * time.Second
	heartbeat       = 5 * time.Second
	reconnectMin    = 100 * time.Millisecond
	reconnectMax    = 2 * time.Second
	reopenChannelIn = 50 * time.Millisecond
)

// dialConnManager connects, retrying until ctx ends, and supervises the
// connection from then on.
func dialConnManager(ctx context.Context, url, name string, log *slog.Logger) (*connManager, error) {
	c := &connManager{url: url, name: name, log: log, up: make(chan struct{}), done: make(chan struct{})}
	var conn *amqp.Connection
	for attempt := 1; ; attempt++ {
		var err error
		if conn, err = c.dial(); err == nil {
			break
		}
		if !sleepCtx(ctx, backoff(attempt, reconnectMin, reconnectMax)) {
			return nil, fmt.Errorf("connect to rabbitmq: %w", err)
		}
	}
	c.ctx, c.stop = context.WithCancel(context.Background())
	go c.supervise(conn)
	return c, nil
}

func (c *connManager) dial() (*amqp.Connection, error) {
	props := amqp.NewConnectionProperties()
	props.SetClientConnectionName(c.name)
	return amqp.DialConfig(c.url, amqp.Config{Heartbeat: heartbeat, Dial: amqp.DefaultDial(dialTimeout), Properties: props})
}

func (c *connManager) supervise(conn *amqp.Connection) {
	defer close(c.done)
	for {
		lost := conn.NotifyClose(make(chan *amqp.Error, 1))
		c.set(conn)
		select {
		case err := <-lost:
			c.set(nil)
			c.log.Warn("bus connection lost", "err", err)
		case <-c.ctx.Done():
			c.set(nil)
			if err := conn.Close(); err != nil && !conn.IsClosed() {
				c.log.Warn("bus connection close", "err", err)
			}
			return
		}
		for attempt := 1; ; attempt++ {
			if !sleepCtx(c.ctx, backoff(attempt, reconnectMin, reconnectMax)) {
				return
			}
			var err error
			if conn, err = c.dial(); err == nil {
				c.log.Info("bus reconnected", "attempts", attempt)
				break
			}
			c.log.Debug("bus reconnect failed", "attempt", attempt, "err", err)
		}
	}
}

func (c *connManager) set(conn *amqp.Connection) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn = conn
	if conn != nil {
		close(c.up)
	} else {
		c.up = make(chan struct{})
	}
}

// get returns the live connection, waiting while the broker is unreachable.
func (c *connManager) get(ctx context.Context) (*amqp.Connection, error) {
	for {
		c.mu.Lock()
		conn, up := c.conn, c.up
		c.mu.Unlock()
		if conn != nil && !conn.IsClosed() {
			return conn, nil
		}
		if conn != nil { // dropped, the supervisor has not noticed yet
			up = nil
		}
		select {
		case <-up:
		case <-time.After(reopenChannelIn):
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.ctx.Done():
			return nil, ErrClosed
		}
	}
}

// unreachable marks err as the broker being out of reach (errs.ErrBroker)
// when there is no live connection; err stays in the chain for errors.Is
// and the log.
func (c *connManager) unreachable(err error) error {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn != nil && !conn.IsClosed() {
		return err
	}
	return errs.Unreachable(errs.ErrBroker, err)
}

// channel opens a channel on the live connection, waiting as get does.
func (c *connManager) channel(ctx context.Context) (*amqp.Channel, error) {
	for {
		conn, err := c.get(ctx)
		if err != nil {
			return nil, err
		}
		ch, err := conn.Channel()
		if err == nil {
			return ch, nil
		}
		if !sleepCtx(ctx, reopenChannelIn) {
			return nil, fmt.Errorf("open channel: %w", err)
		}
	}
}

// close drops the connection and waits for the supervisor.
func (c *connManager) close() {
	c.stop()
	<-c.done
}

// backoff doubles from lo per attempt (attempt >= 1) up to hi.
func backoff(attempt int, lo, hi time.Duration) time.Duration {
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}
