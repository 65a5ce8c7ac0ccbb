package bus

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
)

// memMsg is one queued event.
type memMsg struct {
	body     json.RawMessage
	attempts int // failed deliveries so far
}

// memQueue is a FIFO with a wake-up signal for waiting consumers.
type memQueue struct {
	mu    sync.Mutex
	items []memMsg
	wake  chan struct{} // closed and replaced on every push
}

func newMemQueue() *memQueue { return &memQueue{wake: make(chan struct{})} }

func (q *memQueue) push(msg memMsg, front bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if front {
		q.items = append([]memMsg{msg}, q.items...)
	} else {
		q.items = append(q.items, msg)
	}
	close(q.wake)
	q.wake = make(chan struct{})
}

// take pops the head, or returns a channel closed when something arrives.
func (q *memQueue) take() (memMsg, bool, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return memMsg{}, false, q.wake
	}
	msg := q.items[0]
	q.items = q.items[1:]
	return msg, true, nil
}

// Publish implements Bus: every subscriber group of topic gets a copy.
// Groups that have never subscribed do not exist yet and get nothing.
func (m *Memory) Publish(ctx context.Context, topic string, event any) error {
	body, err := m.prepare(ctx, "event", topic, event)
	if err != nil {
		return err
	}
	m.hub.mu.Lock()
	for _, q := range m.hub.groups[topic] {
		q.push(memMsg{body: body}, false)
	}
	m.hub.mu.Unlock()
	m.st.published.Add(1)
	return nil
}

// Broadcast implements Bus: every current broadcast subscriber gets a copy.
func (m *Memory) Broadcast(ctx context.Context, topic string, event any) error {
	body, err := m.prepare(ctx, "broadcast", topic, event)
	if err != nil {
		return err
	}
	m.hub.mu.Lock()
	for q := range m.hub.broadcast[topic] {
		q.push(memMsg{body: body}, false)
	}
	m.hub.mu.Unlock()
	m.st.published.Add(1)
	return nil
}

func (m *Memory) prepare(ctx context.Context, what, topic string, event any) (json.RawMessage, error) {
	if m.isClosed() {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return marshalPayload(what, topic, event)
}

// Subscribe implements Bus. The (topic, group) queue outlives the
// subscription: events published while no member is subscribed wait for the
// next one, as with a durable RabbitMQ queue.
func (m *Memory) Subscribe(topic, group string, h EventHandler) (Subscription, error) {
	m.hub.mu.Lock()
	groups := m.hub.groups[topic]
	if groups == nil {
		groups = map[string]*memQueue{}
		m.hub.groups[topic] = groups
	}
	q := groups[group]
	if q == nil {
		q = newMemQueue()
		groups[group] = q
	}
	m.hub.mu.Unlock()
	return m.startSub(topic, q, h, nil)
}

// SubscribeBroadcast implements Bus with a private queue that lives as long
// as the subscription.
func (m *Memory) SubscribeBroadcast(topic string, h EventHandler) (Subscription, error) {
	q := newMemQueue()
	m.hub.mu.Lock()
	subs := m.hub.broadcast[topic]
	if subs == nil {
		subs = map[*memQueue]struct{}{}
		m.hub.broadcast[topic] = subs
	}
	subs[q] = struct{}{}
	m.hub.mu.Unlock()
	remove := func() {
		m.hub.mu.Lock()
		delete(m.hub.broadcast[topic], q)
		m.hub.mu.Unlock()
	}
	s, err := m.startSub(topic, q, h, remove)
	if err != nil {
		remove()
	}
	return s, err
}

// memSub consumes one queue with at most Prefetch handlers at a time.
type memSub struct {
	m      *Memory
	q      *memQueue
	topic  string
	h      EventHandler
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	remove func() // detaches a private queue, or nil
}

func (m *Memory) startSub(topic string, q *memQueue, h EventHandler, remove func()) (*memSub, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	ctx, cancel := context.WithCancel(m.ctx)
	s := &memSub{m: m, q: q, topic: topic, h: h, ctx: ctx, cancel: cancel, done: make(chan struct{}), remove: remove}
	m.subs[s] = struct{}{}
	go s.run()
	return s, nil
}

// Unsubscribe implements Subscription: it stops taking events, cancels the
// contexts of running handlers and waits for them.
func (s *memSub) Unsubscribe() error {
	s.stop()
	s.m.mu.Lock()
	delete(s.m.subs, s)
	s.m.mu.Unlock()
	return nil
}

func (s *memSub) stop() {
	s.once.Do(func() {
		if s.remove != nil {
			s.remove()
		}
		s.cancel()
	})
	<-s.done
}

func (s *memSub) run() {
	defer close(s.done)
	var inflight sync.WaitGroup
	defer inflight.Wait()
	slots := make(chan struct{}, s.m.opts.Prefetch)
	for {
		select {
		case slots <- struct{}{}:
		case <-s.ctx.Done():
			return
		}
		msg, ok := s.next()
		if !ok {
			return
		}
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			defer func() { <-slots }()
			s.deliver(msg)
		}()
	}
}

// next waits for the head of the queue, or returns false when stopped.
func (s *memSub) next() (memMsg, bool) {
	for {
		msg, ok, wake := s.q.take()
		if ok {
			return msg, true
		}
		select {
		case <-wake:
		case <-s.ctx.Done():
			return memMsg{}, false
		}
	}
}

// deliver runs the handler once; on error the event goes back to the head of
// its queue after a backoff (at once when the subscription is stopping).
func (s *memSub) deliver(msg memMsg) {
	err := s.h(s.ctx, Message{Topic: s.topic, Body: append(json.RawMessage(nil), msg.body...), Redelivered: msg.attempts > 0})
	switch {
	case err == nil:
		s.m.st.consumed.Add(1)
		return
	case errors.Is(err, ErrDiscard):
		s.m.st.consumed.Add(1)
		s.m.opts.Log.Warn("bus event discarded", "topic", s.topic, "err", err)
		return
	}
	s.m.st.failed.Add(1)
	msg.attempts++
	logFailure(s.ctx, s.m.opts.Log, s.topic, msg.attempts, err)
	sleepCtx(s.ctx, s.m.opts.retryDelay(msg.attempts))
	s.q.push(msg, true)
}
