package bustest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/bus"
)

type event struct{ ID string }

// collector records the events a handler saw, by id.
type collector struct {
	t           *testing.T
	topic       string
	mu          sync.Mutex
	seen        map[string]int
	redelivered map[string]bool
}

func newCollector(t *testing.T, topic string) *collector {
	return &collector{t: t, topic: topic, seen: map[string]int{}, redelivered: map[string]bool{}}
}

// record notes one delivery and returns its event.
func (c *collector) record(msg bus.Message) event {
	var ev event
	require.NoError(c.t, msg.Decode(&ev))
	require.Equal(c.t, c.topic, msg.Topic)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[ev.ID]++
	if msg.Redelivered {
		c.redelivered[ev.ID] = true
	}
	return ev
}

// ok is a handler that records and acknowledges.
func (c *collector) ok(_ context.Context, msg bus.Message) error {
	c.record(msg)
	return nil
}

func (c *collector) count(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen[id]
}

func (c *collector) distinct() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

func subscribe(t *testing.T, b bus.Bus, topic, group string, h bus.EventHandler) bus.Subscription {
	s, err := b.Subscribe(topic, group, h)
	require.NoError(t, err)
	return s
}

func publish(t *testing.T, b bus.Bus, topic string, ids ...string) {
	for _, id := range ids {
		require.NoError(t, b.Publish(ctx(t), topic, event{ID: id}))
	}
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func testPublishGroups(t *testing.T, newBus NewBus) {
	a, b := newBus(t), newBus(t)
	g1, g2 := newCollector(t, "task.done"), newCollector(t, "task.done")
	subscribe(t, a, "task.done", "g1", g1.ok)
	subscribe(t, b, "task.done", "g2", g2.ok)

	publish(t, a, "task.started", "other")
	publish(t, a, "task.done", ids("e", 10)...)
	require.Eventually(t, func() bool { return g1.distinct() == 10 && g2.distinct() == 10 }, wait, tick,
		"every group gets every event")
	require.Zero(t, g1.count("other"), "a group gets only its topic")
}

func testCompetingConsumers(t *testing.T, newBus NewBus) {
	type member struct{ inflight, peak atomic.Int32 }
	release := make(chan struct{})
	seen := newCollector(t, "step.run")
	handler := func(m *member) bus.EventHandler {
		return func(hctx context.Context, msg bus.Message) error {
			n := m.inflight.Add(1)
			defer m.inflight.Add(-1)
			for p := m.peak.Load(); n > p && !m.peak.CompareAndSwap(p, n); {
				p = m.peak.Load() // another handler raised it first; compare again
			}
			seen.record(msg)
			select {
			case <-release:
				return nil
			case <-hctx.Done():
				return hctx.Err()
			}
		}
	}
	var ma, mb member
	subscribe(t, newBus(t), "step.run", "workers", handler(&ma))
	subscribe(t, newBus(t), "step.run", "workers", handler(&mb))

	total := 3 * Prefetch
	publish(t, newBus(t), "step.run", ids("s", total)...)
	require.Eventually(t, func() bool { return ma.inflight.Load() == Prefetch && mb.inflight.Load() == Prefetch },
		wait, tick, "each member handles Prefetch events at once")
	close(release)
	require.Eventually(t, func() bool { return seen.distinct() == total }, wait, tick)
	for _, id := range ids("s", total) {
		require.Equal(t, 1, seen.count(id), "event %s goes to one member once", id)
	}
	require.LessOrEqual(t, ma.peak.Load(), int32(Prefetch))
	require.LessOrEqual(t, mb.peak.Load(), int32(Prefetch))
}

func testRedelivery(t *testing.T, newBus NewBus) {
	var mu sync.Mutex
	var flags []bool
	s := subscribe(t, newBus(t), "job.retry", "g", func(_ context.Context, msg bus.Message) error {
		mu.Lock()
		defer mu.Unlock()
		flags = append(flags, msg.Redelivered)
		if len(flags) == 1 {
			return errors.New("not yet")
		}
		return nil
	})
	publish(t, newBus(t), "job.retry", "r1")
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(flags) == 2
	}, wait, tick, "a failed event is delivered again")
	require.NoError(t, s.Unsubscribe())
	mu.Lock()
	require.Equal(t, []bool{false, true}, flags)
	mu.Unlock()

	after := newCollector(t, "job.retry")
	subscribe(t, newBus(t), "job.retry", "g", after.ok)
	publish(t, newBus(t), "job.retry", "marker")
	require.Eventually(t, func() bool { return after.count("marker") == 1 }, wait, tick)
	require.Zero(t, after.count("r1"), "an event handled without error is acknowledged")
}

func testDiscard(t *testing.T, newBus NewBus) {
	seen := newCollector(t, "bad.input")
	s := subscribe(t, newBus(t), "bad.input", "g", func(_ context.Context, msg bus.Message) error {
		if seen.record(msg).ID == "poison" {
			return fmt.Errorf("cannot handle: %w", bus.ErrDiscard)
		}
		return nil
	})
	publish(t, newBus(t), "bad.input", "poison", "m1")
	require.Eventually(t, func() bool { return seen.count("m1") == 1 }, wait, tick)
	require.NoError(t, s.Unsubscribe())
	subscribe(t, newBus(t), "bad.input", "g", seen.ok)
	publish(t, newBus(t), "bad.input", "m2")
	require.Eventually(t, func() bool { return seen.count("m2") == 1 }, wait, tick)
	require.Equal(t, 1, seen.count("poison"), "a discarded event is acknowledged, not redelivered")
}

func testDurableGroup(t *testing.T, newBus NewBus) {
	s := subscribe(t, newBus(t), "audit", "g", func(context.Context, bus.Message) error { return nil })
	require.NoError(t, s.Unsubscribe())
	publish(t, newBus(t), "audit", ids("a", 3)...)
	later := newCollector(t, "audit")
	subscribe(t, newBus(t), "audit", "g", later.ok)
	require.Eventually(t, func() bool { return later.distinct() == 3 }, wait, tick,
		"events published while a group has no member wait for the next one")
}

func testBroadcast(t *testing.T, newBus NewBus) {
	a, b := newBus(t), newBus(t)
	c1, c2, c3 := newCollector(t, "cfg"), newCollector(t, "cfg"), newCollector(t, "cfg")
	events := newCollector(t, "cfg")
	s1, err := a.SubscribeBroadcast("cfg", c1.ok)
	require.NoError(t, err)
	_, err = a.SubscribeBroadcast("cfg", c2.ok)
	require.NoError(t, err)
	_, err = bus.SubscribeBroadcast(b, "cfg", func(_ context.Context, ev event) error {
		c3.record(bus.Message{Topic: "cfg", Body: []byte(fmt.Sprintf(`{"ID":%q}`, ev.ID))})
		return nil
	})
	require.NoError(t, err)
	subscribe(t, b, "cfg", "durable", events.ok)

	require.NoError(t, b.Broadcast(ctx(t), "cfg", event{ID: "b1"}))
	require.Eventually(t, func() bool { return c1.count("b1") == 1 && c2.count("b1") == 1 && c3.count("b1") == 1 },
		wait, tick, "every broadcast subscriber in every process gets it")

	require.NoError(t, s1.Unsubscribe())
	require.NoError(t, a.Broadcast(ctx(t), "cfg", event{ID: "b2"}))
	publish(t, a, "cfg", "e1")
	require.Eventually(t, func() bool { return c2.count("b2") == 1 && c3.count("b2") == 1 && events.count("e1") == 1 },
		wait, tick)
	require.Zero(t, c1.count("b2"), "an ended subscription gets nothing")
	require.Zero(t, events.count("b1")+events.count("b2"), "broadcasts do not reach event groups")
	require.Zero(t, c2.count("e1"), "events do not reach broadcast subscribers")
}

func testClose(t *testing.T, newBus NewBus) {
	a, b := newBus(t), newBus(t)
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var returned atomic.Bool
	subscribe(t, a, "work", "g", func(hctx context.Context, _ bus.Message) error {
		once.Do(func() { close(entered) })
		<-hctx.Done()
		<-release
		returned.Store(true)
		return hctx.Err()
	})
	publish(t, b, "work", "w1")
	select {
	case <-entered:
	case <-time.After(wait):
		t.Fatal("the event never reached the handler")
	}

	closed := make(chan struct{})
	go func() {
		require.NoError(t, a.Close())
		close(closed)
	}()
	require.Never(t, func() bool { return isClosed(closed) }, 300*time.Millisecond, tick,
		"Close waits for running handlers")
	close(release)
	require.Eventually(t, func() bool { return isClosed(closed) }, wait, tick)
	require.True(t, returned.Load())

	noop := func(context.Context, bus.Message) error { return nil }
	require.ErrorIs(t, a.Publish(ctx(t), "work", event{}), bus.ErrClosed)
	require.ErrorIs(t, a.Broadcast(ctx(t), "work", event{}), bus.ErrClosed)
	require.ErrorIs(t, a.Call(ctx(t), "anything", nil, nil), bus.ErrClosed)
	require.ErrorIs(t, a.Handle("anything", nil), bus.ErrClosed)
	_, err := a.Subscribe("work", "g", noop)
	require.ErrorIs(t, err, bus.ErrClosed)
	_, err = a.SubscribeBroadcast("work", noop)
	require.ErrorIs(t, err, bus.ErrClosed)
	require.NoError(t, a.Close(), "Close is idempotent")

	rest := newCollector(t, "work")
	subscribe(t, b, "work", "g", rest.ok)
	require.Eventually(t, func() bool { return rest.count("w1") == 1 }, wait, tick,
		"an event whose handler was stopped by Close goes back to its group")
	rest.mu.Lock()
	require.True(t, rest.redelivered["w1"])
	rest.mu.Unlock()
}
