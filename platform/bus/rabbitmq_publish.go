package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"
)

// publisher sends events over one channel in confirm mode, re-opened after a
// connection loss. Concurrent publishes share it and wait for their own
// confirmation.
type publisher struct {
	conn      *connManager
	exchanges []string // declared on every new channel

	mu sync.Mutex
	ch *amqp.Channel
}

// errNotConfirmed means the broker nacked a message or the channel closed
// before it confirmed it.
var errNotConfirmed = errors.New("not confirmed by the broker")

// publish returns nil once the broker confirmed the message. Until ctx ends
// it retries after a nack or a lost channel (so a message may reach the
// queue twice; consumers are at-least-once anyway).
func (p *publisher) publish(ctx context.Context, exchange, key string, body []byte, mode uint8) error {
	msg := amqp.Publishing{
		ContentType:  "application/json",
		DeliveryMode: mode,
		MessageId:    uuid.NewString(),
		Timestamp:    time.Now(),
		Body:         body,
	}
	var last error
	for attempt := 1; ; attempt++ {
		if last = p.try(ctx, exchange, key, msg); last == nil {
			return nil
		}
		if errors.Is(last, ErrClosed) {
			return last
		}
		if ctx.Err() != nil || !sleepCtx(ctx, backoff(attempt, reopenChannelIn, reconnectMax)) {
			return fmt.Errorf("%w: %w (last: %w)", errNotConfirmed, ctx.Err(), last)
		}
	}
}

func (p *publisher) try(ctx context.Context, exchange, key string, msg amqp.Publishing) error {
	ch, err := p.channel(ctx)
	if err != nil {
		return err
	}
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, exchange, key, false, false, msg)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	acked, err := dc.WaitContext(ctx)
	if err != nil {
		return err
	}
	if !acked {
		return errNotConfirmed
	}
	return nil
}

// channel returns the confirm-mode channel, opening one when needed.
func (p *publisher) channel(ctx context.Context) (*amqp.Channel, error) {
	p.mu.Lock()
	ch := p.ch
	p.mu.Unlock()
	if ch != nil && !ch.IsClosed() {
		return ch, nil
	}
	ch, err := p.conn.channel(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.prepare(ch); err != nil {
		_ = ch.Close()
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ch != nil && !p.ch.IsClosed() { // another publisher won the race
		_ = ch.Close()
		return p.ch, nil
	}
	p.ch = ch
	return ch, nil
}

func (p *publisher) prepare(ch *amqp.Channel) error {
	if err := ch.Confirm(false); err != nil {
		return fmt.Errorf("enable confirms: %w", err)
	}
	for _, ex := range p.exchanges {
		if err := declareExchange(ch, ex); err != nil {
			return err
		}
	}
	return nil
}
