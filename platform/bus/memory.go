package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/bkjob/bkjob/platform/reqid"
)

var _ Bus = (*Memory)(nil)

// Memory is the in-process Bus. It serialises every request, reply and event
// to JSON exactly as the RabbitMQ backend does, so co-located code exercises
// the same encoding. Several Memory values made with Peer share one broker
// and behave like processes attached to it: their handlers compete, their
// subscriber groups share queues, and each can be closed on its own.
type Memory struct {
	hub  *memoryHub
	opts Options
	st   counters

	ctx    context.Context // ends on Close; parent of every handler context
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	subs   map[*memSub]struct{}
	wg     sync.WaitGroup // call handlers in flight
}

// memHandler is one registered call handler; slots bounds its concurrent
// calls to Prefetch, as the broker's prefetch does for a remote handler.
type memHandler struct {
	owner *Memory
	h     CallHandler
	slots chan struct{}
}

// memoryHub is the shared broker state behind a set of peers.
type memoryHub struct {
	mu        sync.Mutex
	methods   map[string][]*memHandler
	rr        map[string]int
	groups    map[string]map[string]*memQueue // topic -> group -> durable queue
	broadcast map[string]map[*memQueue]struct{}
}

// NewMemory returns an in-process bus with a broker of its own.
func NewMemory(opts Options) *Memory {
	hub := &memoryHub{
		methods:   map[string][]*memHandler{},
		rr:        map[string]int{},
		groups:    map[string]map[string]*memQueue{},
		broadcast: map[string]map[*memQueue]struct{}{},
	}
	return newMemory(hub, opts)
}

func newMemory(hub *memoryHub, opts Options) *Memory {
	ctx, cancel := context.WithCancel(context.Background())
	return &Memory{hub: hub, opts: opts.withDefaults(), ctx: ctx, cancel: cancel, subs: map[*memSub]struct{}{}}
}

// Peer returns another bus attached to the same in-memory broker, as a second
// process would be attached to the same RabbitMQ.
func (m *Memory) Peer() *Memory { return newMemory(m.hub, m.opts) }

// Stats returns the counters of this bus.
func (m *Memory) Stats() Stats { return m.st.snapshot() }

// Call implements Bus.
func (m *Memory) Call(ctx context.Context, method string, req, resp any) error {
	if m.isClosed() {
		return ErrClosed
	}
	body, err := marshalPayload("call", method, req)
	if err != nil {
		return err
	}
	ctx, cancel := m.opts.bounded(ctx)
	defer cancel()
	h := m.hub.pickHandler(method)
	if h == nil {
		return fmt.Errorf("call %s: %w", method, ErrNoHandler)
	}
	m.st.calls.Add(1)
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return callTimeoutError(ctx, method)
	}
	done := make(chan []byte, 1)
	if !h.owner.track(func() {
		defer func() { <-h.slots }()
		done <- h.owner.serveCall(ctx, method, h.h, body)
	}) {
		<-h.slots
		return fmt.Errorf("call %s: %w", method, ErrNoHandler)
	}
	select {
	case out := <-done:
		return replyError(ctx, method, out, resp)
	case <-ctx.Done():
		return callTimeoutError(ctx, method)
	}
}

// serveCall runs h on a copy of the request, detached from the caller's
// context values but bound by its deadline and carrying its request id, as
// a remote handler would be.
//
//nolint:contextcheck // detached from caller on purpose, see above
func (m *Memory) serveCall(caller context.Context, method string, h CallHandler, body json.RawMessage) []byte {
	ctx, cancel := handlerContext(m.ctx, deadlineMillis(caller))
	defer cancel()
	ctx = reqid.With(ctx, reqid.From(caller))
	res, err := h(ctx, append(json.RawMessage(nil), body...))
	m.st.handled.Add(1)
	return encodeReply(ctx, m.opts.Log, method, res, err)
}

// Handle implements Bus.
func (m *Memory) Handle(method string, h CallHandler) error {
	mh := &memHandler{owner: m, h: h, slots: make(chan struct{}, m.opts.Prefetch)}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	m.hub.mu.Lock()
	m.hub.methods[method] = append(m.hub.methods[method], mh)
	m.hub.mu.Unlock()
	return nil
}

// pickHandler chooses among competing handlers round-robin.
func (hub *memoryHub) pickHandler(method string) *memHandler {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	hs := hub.methods[method]
	if len(hs) == 0 {
		return nil
	}
	i := hub.rr[method] % len(hs)
	hub.rr[method] = i + 1
	return hs[i]
}

// track runs fn in a goroutine that Close waits for, unless m is closed.
func (m *Memory) track(fn func()) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		fn()
	}()
	return true
}

func (m *Memory) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

// Close unregisters this bus's handlers and subscriptions, cancels the
// contexts of handlers still running and waits for them. Events a handler
// had not acknowledged go back to their queue. Other peers keep running.
func (m *Memory) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	subs := make([]*memSub, 0, len(m.subs))
	for s := range m.subs {
		subs = append(subs, s)
	}
	m.mu.Unlock()

	m.hub.mu.Lock()
	for method, hs := range m.hub.methods {
		kept := hs[:0:0]
		for _, h := range hs {
			if h.owner != m {
				kept = append(kept, h)
			}
		}
		m.hub.methods[method] = kept
	}
	m.hub.mu.Unlock()

	m.cancel()
	for _, s := range subs {
		s.stop()
	}
	m.wg.Wait()
	return nil
}
