package logsvr

import (
	"context"
	"io"
	"time"

	"github.com/bkjob/bkjob/platform/bus"
)

// Client carries Service calls over the bus to a logsvr role elsewhere (or
// in this process, when bus.force_remote is set): the plain calls through
// the generated CallsClient, ExportStep by reading through it, Watch by
// polling (see client_watch.go).
type Client struct {
	*CallsClient
	// Poll is how often Watch polls the remote store (500 ms when zero).
	Poll time.Duration
}

var _ Service = (*Client)(nil)

// NewClient returns a remote Service.
func NewClient(b bus.Bus) *Client { return &Client{CallsClient: NewCallsClient(b)} }

// ExportStep writes the step run's zip from what the remote store returns.
func (c *Client) ExportStep(ctx context.Context, step StepRef, w io.Writer) error {
	return WriteZip(ctx, c, step, w)
}
