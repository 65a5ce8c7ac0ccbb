package bus_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/errs"
)

type ping struct{ N int }

func TestTypedHandleRejectsUndecodableRequest(t *testing.T) {
	b := bus.NewMemory(bus.Options{})
	t.Cleanup(func() { _ = b.Close() })
	require.NoError(t, bus.Handle(b, "ping", func(_ context.Context, p ping) (ping, error) { return ping{N: p.N + 1}, nil }))

	got, err := bus.Call[ping, ping](context.Background(), b, "ping", ping{N: 1})
	require.NoError(t, err)
	require.Equal(t, 2, got.N)

	_, err = bus.Call[string, ping](context.Background(), b, "ping", "not an object")
	require.ErrorIs(t, err, errs.ErrInvalid)
}

func TestTypedSubscribeDiscardsUndecodableEvent(t *testing.T) {
	b := bus.NewMemory(bus.Options{RetryMin: time.Millisecond})
	t.Cleanup(func() { _ = b.Close() })
	var got atomic.Int64
	_, err := bus.Subscribe(b, "ping", "g", func(_ context.Context, p ping) error {
		got.Add(int64(p.N))
		return nil
	})
	require.NoError(t, err)
	require.NoError(t, b.Publish(context.Background(), "ping", "garbage"))
	require.NoError(t, b.Publish(context.Background(), "ping", ping{N: 5}))
	require.Eventually(t, func() bool { return b.Stats().Consumed == 2 }, 5*time.Second, time.Millisecond)
	require.Equal(t, int64(5), got.Load())
	require.Zero(t, b.Stats().Failed, "an undecodable event is discarded, not retried")
	require.Equal(t, uint64(2), b.Stats().Published)
}

func TestOpen(t *testing.T) {
	tests := []struct {
		backend string
		wantErr bool
	}{
		{"memory", false},
		{"", false},
		{"carrier-pigeon", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("backend %q", tt.backend), func(t *testing.T) {
			b, err := bus.Open(context.Background(), config.Bus{Backend: tt.backend, Prefetch: 2}, nil)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.IsType(t, &bus.Memory{}, b)
			require.NoError(t, b.Close())
		})
	}
}
