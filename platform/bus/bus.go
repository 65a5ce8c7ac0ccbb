// Package bus carries request/reply calls and events between roles: in
// process by default, over RabbitMQ when configured. Both serialise payloads
// as JSON, so code that works co-located works across hosts.
package bus

import (
	"context"
	"encoding/json"
	"errors"
)

// Bus is the contract every backend implements (memory.go, rabbitmq.go).
type Bus interface {
	// Call sends req to the handler registered for method and decodes its
	// reply into resp (which may be nil). A handler error comes back as an
	// *errs.Error with the same code. ctx bounds the wait.
	Call(ctx context.Context, method string, req, resp any) error
	// Handle registers the handler for method. Handlers of one method in
	// several processes compete: each call reaches exactly one.
	Handle(method string, h CallHandler) error

	// Publish sends a durable event to topic. Every subscriber group gets it
	// once: at-least-once, acknowledged only after a handler returns nil.
	Publish(ctx context.Context, topic string, event any) error
	// Subscribe consumes topic as a member of group; group members (in this
	// process or others) compete for events. A handler error or a crash
	// before it returns causes redelivery.
	Subscribe(topic, group string, h EventHandler) (Subscription, error)

	// Broadcast sends event to every current broadcast subscriber of topic in
	// every process. Not durable: a process that is down misses it.
	Broadcast(ctx context.Context, topic string, event any) error
	SubscribeBroadcast(topic string, h EventHandler) (Subscription, error)

	// Close stops consumers and releases connections.
	Close() error
}

// CallHandler answers one call. The returned value is encoded as the reply.
type CallHandler func(ctx context.Context, req json.RawMessage) (any, error)

// EventHandler handles one event; nil acknowledges it.
type EventHandler func(ctx context.Context, msg Message) error

// Message is one delivered event.
type Message struct {
	Topic       string
	Body        json.RawMessage
	Redelivered bool
}

// Decode unmarshals the event body into v.
func (m Message) Decode(v any) error { return json.Unmarshal(m.Body, v) }

// Subscription is an active consumer.
type Subscription interface {
	Unsubscribe() error
}

// ErrClosed is returned by calls on a closed bus.
var ErrClosed = errors.New("bus closed")

// ErrNoHandler is returned by Call when nothing handles the method (memory
// backend) or nothing answered before the deadline (remote backend).
var ErrNoHandler = errors.New("no handler for method")
