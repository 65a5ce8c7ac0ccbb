package gse

import (
	"context"

	"github.com/bkjob/bkjob/platform/bus"
)

// Bus method names. Transport calls go from execute to the gse role; Sink
// calls carry events back from the gse role to an execute process. A Sink
// call is synchronous on purpose: the hub keeps (and re-sends) events until
// the engine has taken them, exactly as with an in-process Sink, and events
// of one (task, host) stay in order.
const (
	MethodStartScript = "gse.StartScript"
	MethodStartFile   = "gse.StartFile"
	MethodStop        = "gse.Stop"
	MethodAgentStatus = "gse.AgentStatus"
	MethodLost        = "gse.Lost"
	MethodSink        = "gse.Sink"
)

// Client is a Transport whose calls go over the bus to a gse role.
type Client struct{ b bus.Bus }

var _ Transport = (*Client)(nil)

// NewClient returns a remote Transport.
func NewClient(b bus.Bus) *Client { return &Client{b: b} }

type stopReq struct {
	TaskID  string  `json:"task_id"`
	HostIDs []int64 `json:"host_ids"`
}

type none struct{}

// StartScript implements Transport by a call to the gse role.
func (c *Client) StartScript(ctx context.Context, task ScriptTask) error {
	_, err := bus.Call[ScriptTask, none](ctx, c.b, MethodStartScript, task)
	return err
}

// StartFile implements Transport by a call to the gse role.
func (c *Client) StartFile(ctx context.Context, task FileTask) error {
	_, err := bus.Call[FileTask, none](ctx, c.b, MethodStartFile, task)
	return err
}

// Stop implements Transport by a call to the gse role.
func (c *Client) Stop(ctx context.Context, taskID string, hostIDs []int64) error {
	_, err := bus.Call[stopReq, none](ctx, c.b, MethodStop, stopReq{taskID, hostIDs})
	return err
}

// AgentStatus implements Transport by a call to the gse role.
func (c *Client) AgentStatus(ctx context.Context, hosts []Host) ([]AgentState, error) {
	return bus.Call[[]Host, []AgentState](ctx, c.b, MethodAgentStatus, hosts)
}

type lostReq struct {
	TaskID string `json:"task_id"`
	Hosts  []Host `json:"hosts"`
}

// Lost implements Transport by a call to the gse role.
func (c *Client) Lost(ctx context.Context, taskID string, hosts []Host) ([]int64, error) {
	return bus.Call[lostReq, []int64](ctx, c.b, MethodLost, lostReq{taskID, hosts})
}

// Serve answers Transport calls from remote execute roles with t.
func Serve(b bus.Bus, t Transport) error {
	handlers := []func() error{
		func() error {
			return bus.Handle(b, MethodStartScript, func(ctx context.Context, task ScriptTask) (none, error) {
				return none{}, t.StartScript(ctx, task)
			})
		},
		func() error {
			return bus.Handle(b, MethodStartFile, func(ctx context.Context, task FileTask) (none, error) {
				return none{}, t.StartFile(ctx, task)
			})
		},
		func() error {
			return bus.Handle(b, MethodStop, func(ctx context.Context, r stopReq) (none, error) {
				return none{}, t.Stop(ctx, r.TaskID, r.HostIDs)
			})
		},
		func() error { return bus.Handle(b, MethodAgentStatus, t.AgentStatus) },
		func() error {
			return bus.Handle(b, MethodLost, func(ctx context.Context, r lostReq) ([]int64, error) {
				return t.Lost(ctx, r.TaskID, r.Hosts)
			})
		},
	}
	for _, h := range handlers {
		if err := h(); err != nil {
			return err
		}
	}
	return nil
}

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
