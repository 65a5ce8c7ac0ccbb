package bus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/testenv"
)

type streamEvent struct{ ID string }

// confirmedSet records which publishes the broker confirmed and which failed.
type confirmedSet struct {
	mu     sync.Mutex
	ok     map[string]bool
	failed []error
}

func (c *confirmedSet) publish(t *testing.T, b bus.Bus, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	err := b.Publish(ctx, "stream", streamEvent{ID: id})
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		// Not confirmed: it may or may not have reached the queue; a real
		// publisher would retry it. It only has to have said so.
		c.failed = append(c.failed, fmt.Errorf("publish %s: %w", id, err))
		return
	}
	c.ok[id] = true
}

// TestRabbitMQSurvivesBrokerRestart publishes a stream of events before,
// during and after a full broker restart (BKJOB_TEST_AMQP_RESTART) and checks
// that every confirmed event is consumed, and that subscriptions, call
// handlers and broadcast subscriptions resume by themselves.
func TestRabbitMQSurvivesBrokerRestart(t *testing.T) {
	url := testenv.Require(t, "BKJOB_TEST_AMQP_URL")
	restart := testenv.Require(t, "BKJOB_TEST_AMQP_RESTART")
	run := testRun()
	pub, con := dialTestRabbit(t, url, run), dialTestRabbit(t, url, run)

	restarted := make(chan struct{})
	var mu sync.Mutex
	consumed := map[string]int{}
	_, err := con.Subscribe("stream", "g", func(ctx context.Context, msg bus.Message) error {
		// Hold events until the broker has restarted, so most of the stream
		// sits in the durable queue through the restart.
		select {
		case <-restarted:
		case <-ctx.Done():
			return ctx.Err()
		}
		var ev streamEvent
		if err := json.Unmarshal(msg.Body, &ev); err != nil {
			return err
		}
		mu.Lock()
		consumed[ev.ID]++
		mu.Unlock()
		return nil
	})
	require.NoError(t, err)
	require.NoError(t, bus.Handle(con, "echo", func(_ context.Context, s string) (string, error) { return s, nil }))
	broadcasts := make(chan string, 100)
	_, err = bus.SubscribeBroadcast(con, "hello", func(_ context.Context, s string) error {
		broadcasts <- s
		return nil
	})
	require.NoError(t, err)

	set := &confirmedSet{ok: map[string]bool{}}
	for i := range 100 {
		set.publish(t, pub, fmt.Sprintf("before-%d", i))
	}

	// Restart the broker while four publishers keep going.
	restartErr := make(chan error, 1)
	go func() {
		out, err := exec.Command("bash", "-c", restart).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%w: %s", err, out)
		}
		restartErr <- err
	}()
	var during sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		during.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				set.publish(t, pub, fmt.Sprintf("during-%d-%d", w, i))
			}
		})
	}
	// A publish with a short deadline during the outage must not claim success.
	var probeErrs []error
	during.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			if err := pub.Publish(ctx, "stream", streamEvent{ID: fmt.Sprintf("probe-%d", i)}); err != nil {
				probeErrs = append(probeErrs, err)
			}
			cancel()
		}
	})
	require.NoError(t, <-restartErr, "restart command")
	close(stop)
	during.Wait()
	require.NotEmpty(t, probeErrs, "a publish that ends during the outage returns an error")
	for _, err := range probeErrs {
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	close(restarted)

	for i := range 100 {
		set.publish(t, pub, fmt.Sprintf("after-%d", i))
	}

	set.mu.Lock()
	confirmed := make([]string, 0, len(set.ok))
	for id := range set.ok {
		confirmed = append(confirmed, id)
	}
	failed := set.failed
	set.mu.Unlock()
	t.Logf("confirmed %d events, %d publishes returned an error", len(confirmed), len(failed))
	for _, err := range failed {
		t.Logf("unconfirmed: %v", err)
	}
	require.GreaterOrEqual(t, len(confirmed), 200, "publishes before and after the restart are confirmed")

	missing := func() []string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for _, id := range confirmed {
			if consumed[id] == 0 {
				out = append(out, id)
			}
		}
		return out
	}
	if !assert.Eventually(t, func() bool { return len(missing()) == 0 }, 90*time.Second, 50*time.Millisecond) {
		require.Empty(t, missing(), "every confirmed event is consumed after the restart")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	got, err := bus.Call[string, string](ctx, pub, "echo", "still there")
	require.NoError(t, err, "the call handler resumed")
	require.Equal(t, "still there", got)

	require.Eventually(t, func() bool {
		require.NoError(t, pub.Broadcast(ctx, "hello", "again"))
		select {
		case s := <-broadcasts:
			return s == "again"
		case <-time.After(100 * time.Millisecond):
			return false
		}
	}, 60*time.Second, 10*time.Millisecond, "the broadcast subscription resumed")
}
