package gse

import (
	"context"

	"github.com/bkjob/bkjob/platform/bus"
)

// The Transport calls go from execute to the gse role over the bus by the
// generated Client and Serve (api_gen.go, from the Transport interface).
// Sink calls carry events back from the gse role to an execute process. A
// Sink call is synchronous on purpose: the hub keeps (and re-sends) events
// until the engine has taken them, exactly as with an in-process Sink, and
// events of one (task, host) stay in order.

// MethodSink is the bus method of the Sink.
const MethodSink = "gse.Sink"

type none struct{}

// BusSink is a Sink that hands events to whichever execute process serves
// MethodSink. An error (no execute process up, a timeout) makes the
// transport keep the events and try again.
func BusSink(b bus.Bus) Sink {
	return func(ctx context.Context, events []Event) error {
		_, err := bus.Call[[]Event, none](ctx, b, MethodSink, events)
		return err
	}
}

// ServeSink lets remote gse roles deliver events to sink.
func ServeSink(b bus.Bus, sink Sink) error {
	return bus.Handle(b, MethodSink, func(ctx context.Context, events []Event) (none, error) {
		return none{}, sink(ctx, events)
	})
}
