package bus

import "sync/atomic"

// Stats are counters since the bus was opened.
type Stats struct {
	Published uint64 // events and broadcasts confirmed sent
	Consumed  uint64 // events and broadcasts acknowledged by a handler
	Failed    uint64 // event handler errors (each one redelivers)
	Calls     uint64 // calls sent
	Handled   uint64 // calls answered by this process
}

// StatsReporter is implemented by both backends.
type StatsReporter interface {
	Stats() Stats
}

type counters struct {
	published, consumed, failed, calls, handled atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Published: c.published.Load(),
		Consumed:  c.consumed.Load(),
		Failed:    c.failed.Load(),
		Calls:     c.calls.Load(),
		Handled:   c.handled.Load(),
	}
}
