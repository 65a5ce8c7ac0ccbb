package bus_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/bus/bustest"
	"github.com/bkjob/bkjob/platform/testenv"
)

// dialTestRabbit connects with a prefix unique to this run and test, so
// every bus dialled for the same t shares topology with nothing else.
func dialTestRabbit(t *testing.T, url, run string) *bus.RabbitMQ {
	t.Helper()
	prefix := "bkjobtest." + run + "." + strings.NewReplacer("/", ".", " ", "_").Replace(t.Name())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := bus.DialRabbitMQ(ctx, url, prefix, bus.Options{
		Prefetch: bustest.Prefetch,
		RetryMin: 20 * time.Millisecond,
		RetryMax: 500 * time.Millisecond,
		Log:      slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo})),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func testRun() string { return fmt.Sprintf("%x", time.Now().UnixNano()) }

func TestRabbitMQ(t *testing.T) {
	url := testenv.Require(t, "BKJOB_TEST_AMQP_URL")
	run := testRun()
	bustest.Run(t, func(t *testing.T) bus.Bus { return dialTestRabbit(t, url, run) })
}

func TestRabbitMQDialFailsWhenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := bus.DialRabbitMQ(ctx, "amqp://guest:guest@127.0.0.1:1/", "x", bus.Options{})
	require.Error(t, err)
}
