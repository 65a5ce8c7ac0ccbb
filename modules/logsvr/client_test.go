package logsvr_test

import (
	"testing"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/logsvr/logsvrtest"
	"github.com/bkjob/bkjob/platform/api/apitest"
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

// TestDeclaredCalls: every declared logsvr call answers the same on the
// store and through the bus client.
func TestDeclaredCalls(t *testing.T) {
	b := bus.NewMemory(bus.Options{CallTimeout: 10 * time.Second})
	t.Cleanup(func() { _ = b.Close() })
	store := logsvrtest.NewFake(1 << 20)
	require.NoError(t, logsvr.Serve(b, store))
	step := logsvr.StepRef{JobInstanceID: 1, StepInstanceID: 2, JobCreated: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)}
	apitest.Contract(t, logsvr.Declarations(), store, logsvr.NewCallsClient(b),
		apitest.Call{Method: "ReadScript", Args: []any{logsvr.HostKey{StepRef: step, HostID: 7}, int64(0), 0}},
		apitest.Call{Method: "ListHosts", Args: []any{step}},
		apitest.Call{Method: "ReadHosts", Args: []any{step, []int64{7, 8}}},
	)
}
