package logsvr_test

import (
	"testing"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/logsvr/logsvrtest"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/stretchr/testify/require"
)

// TestClientContract runs the contract suite through the bus client against
// a Fake served on an in-memory bus (which serialises like RabbitMQ).
func TestClientContract(t *testing.T) {
	logsvrtest.Run(t, func(t *testing.T) logsvrtest.Opener {
		b := bus.NewMemory(bus.Options{CallTimeout: 10 * time.Second})
		t.Cleanup(func() { _ = b.Close() })
		var client *logsvr.Client
		return func(capBytes int64) logsvr.Service {
			if client == nil {
				require.NoError(t, logsvr.Serve(b, logsvrtest.NewFake(capBytes)))
				client = logsvr.NewClient(b)
				client.Poll = 20 * time.Millisecond
			}
			return client
		}
	})
}
