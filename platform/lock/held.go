package lock

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// MinTTL is the shortest ttl a lock may have: renewal runs every ttl/3.
const MinTTL = 30 * time.Millisecond

// ownership is what a backend does for one taken lock, checking its token.
type ownership interface {
	// renew extends the lock to ttl; false when the token is not there.
	renew(ctx context.Context, ttl time.Duration) (bool, error)
	// release deletes the lock; false when the token is not there.
	release(ctx context.Context) (bool, error)
}

// held is a Held for either backend: it renews through its ownership every
// ttl/3 until stopped.
type held struct {
	name     string
	ttl      time.Duration
	own      ownership
	lost     chan struct{}
	lostOnce sync.Once
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
	reg      *registry
}

var _ Held = (*held)(nil)

func checkTTL(name string, ttl time.Duration) error {
	if ttl < MinTTL {
		return fmt.Errorf("lock %s: ttl %s is below %s", name, ttl, MinTTL)
	}
	return nil
}

// newHeld starts renewing a lock just taken, or returns ErrClosed (after
// releasing it) when the locker is closed.
func newHeld(ctx context.Context, reg *registry, name string, ttl time.Duration, own ownership) (*held, error) {
	h := &held{
		name: name, ttl: ttl, own: own, reg: reg,
		lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{}),
	}
	if !reg.add(h) {
		_, _ = own.release(ctx)
		return nil, fmt.Errorf("lock %s: %w", name, ErrClosed)
	}
	// The lock outlives the call that took it: renewals keep ctx's values
	// but not its end.
	go h.renewLoop(context.WithoutCancel(ctx))
	return h, nil
}

func (h *held) Lost() <-chan struct{} { return h.lost }

func (h *held) Unlock(ctx context.Context) error {
	if !h.halt() {
		return fmt.Errorf("unlock %s: %w", h.name, ErrNotHeld)
	}
	ok, err := h.own.release(ctx)
	if err != nil {
		return fmt.Errorf("unlock %s: %w", h.name, err)
	}
	if !ok {
		h.markLost()
		return fmt.Errorf("unlock %s: %w", h.name, ErrNotHeld)
	}
	return nil
}

// halt stops renewal and reports whether this call was the one to stop it.
func (h *held) halt() bool {
	first := false
	h.stopOnce.Do(func() {
		first = true
		close(h.stop)
	})
	<-h.done
	if first {
		h.reg.remove(h)
	}
	return first
}

// abandon stops renewal without releasing: the locker is closing.
func (h *held) abandon() {
	h.halt()
	h.markLost()
}

func (h *held) markLost() { h.lostOnce.Do(func() { close(h.lost) }) }

// renewLoop extends the lock every ttl/3 until it is released, and marks
// it lost when the backend says another owner has it or has been
// unreachable for a whole ttl.
func (h *held) renewLoop(base context.Context) {
	defer close(h.done)
	every := h.ttl / 3
	t := time.NewTicker(every)
	defer t.Stop()
	lastOK := time.Now()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(base, every)
		ok, err := h.own.renew(ctx, h.ttl)
		cancel()
		switch {
		case err == nil && ok:
			lastOK = time.Now()
		case err == nil:
			h.markLost() // the token is gone or replaced
			return
		case time.Since(lastOK) >= h.ttl:
			h.markLost() // it may have expired while the backend was unreachable
			return
		}
	}
}

// registry tracks a locker's live Helds so Close can stop them.
type registry struct {
	mu     sync.Mutex
	helds  map[*held]struct{}
	closed bool
}

func newRegistry() *registry { return &registry{helds: map[*held]struct{}{}} }

func (r *registry) add(h *held) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.helds[h] = struct{}{}
	return true
}

func (r *registry) remove(h *held) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.helds, h)
}

// isClosed reports whether close has been called.
func (r *registry) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// close marks the registry closed and abandons every live Held; it reports
// whether this was the first call.
func (r *registry) close() bool {
	r.mu.Lock()
	first := !r.closed
	r.closed = true
	helds := make([]*held, 0, len(r.helds))
	for h := range r.helds {
		helds = append(helds, h)
	}
	r.mu.Unlock()
	for _, h := range helds {
		h.abandon()
	}
	return first
}
