package app

import (
	"context"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute/executeimpl"
	"github.com/bkjob/bkjob/platform/errs"
)

// errEngineNotUp makes a transport keep events until an engine takes them.
var errEngineNotUp = errs.ErrUnavailable.Withf("execute engine not provisioned")

// engineSink carries the gse role's events to the engine of this process.
// It is the one edge of the role graph that runs backwards: the engine
// needs the gse role's transport, so the gse role is provisioned first and
// gets this sink, and execute's provision sets eng. Both happen before the
// start phase, and no event flows before it (the hub accepts agents from
// its Start, SSH and GSE 2.0 report on tasks dispatched after it), so eng
// is a plain field. An engine that is provisioned but stopped refuses
// events itself, and the transport keeps them.
type engineSink struct{ eng *executeimpl.Engine }

// Sink implements gse.Sink.
func (s *engineSink) Sink(ctx context.Context, events []gse.Event) error {
	if s.eng == nil {
		return errEngineNotUp
	}
	return s.eng.Sink()(ctx, events)
}

// eventSink is where the gse role delivers host events, chosen once at its
// provision: this process's engine when execute runs here, otherwise
// whichever execute process serves the sink on the bus.
func (w *wiring) eventSink() gse.Sink {
	if w.local("execute") {
		return w.toEngine.Sink
	}
	return gse.BusSink(w.bus)
}
