package lock

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Memory is a Locker for the goroutines of one process. Locks expire and
// renew exactly as in Redis, so code behaves the same on both backends.
type Memory struct {
	mu      sync.Mutex
	locks   map[string]memoryEntry
	changed chan struct{} // closed and replaced whenever a lock is freed
	next    uint64
	reg     *registry
}

type memoryEntry struct {
	token   uint64
	expires time.Time
}

var _ Locker = (*Memory)(nil)

// NewMemory returns an empty Memory locker.
func NewMemory() *Memory {
	return &Memory{locks: map[string]memoryEntry{}, changed: make(chan struct{}), reg: newRegistry()}
}

// TryLock implements Locker.
func (m *Memory) TryLock(ctx context.Context, name string, ttl time.Duration) (Held, error) {
	h, _, _, err := m.tryLock(ctx, name, ttl)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// Lock implements Locker, waking when the lock changes or expires.
func (m *Memory) Lock(ctx context.Context, name string, ttl time.Duration) (Held, error) {
	for {
		h, changed, expires, err := m.tryLock(ctx, name, ttl)
		if err == nil {
			return h, nil
		}
		if changed == nil {
			return nil, err
		}
		wait := time.NewTimer(time.Until(expires))
		select {
		case <-ctx.Done():
			wait.Stop()
			return nil, fmt.Errorf("lock %s: %w", name, ctx.Err())
		case <-changed:
		case <-wait.C:
		}
		wait.Stop()
	}
}

// tryLock takes name, or on ErrHeld returns a channel closed when a lock
// is freed and the time the current one expires unless renewed.
func (m *Memory) tryLock(ctx context.Context, name string, ttl time.Duration) (*held, <-chan struct{}, time.Time, error) {
	if err := checkTTL(name, ttl); err != nil {
		return nil, nil, time.Time{}, err
	}
	if m.reg.isClosed() {
		return nil, nil, time.Time{}, fmt.Errorf("lock %s: %w", name, ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, time.Time{}, fmt.Errorf("lock %s: %w", name, err)
	}
	m.mu.Lock()
	now := time.Now()
	if e, ok := m.locks[name]; ok && now.Before(e.expires) {
		changed := m.changed
		m.mu.Unlock()
		return nil, changed, e.expires, fmt.Errorf("lock %s: %w", name, ErrHeld)
	}
	m.next++
	token := m.next
	m.locks[name] = memoryEntry{token: token, expires: now.Add(ttl)}
	m.mu.Unlock()

	h, err := newHeld(ctx, m.reg, name, ttl, memoryOwnership{m: m, name: name, token: token})
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	return h, nil, time.Time{}, nil
}

// Close stops renewing every lock taken through m; later calls fail.
func (m *Memory) Close() error {
	m.reg.close()
	return nil
}

// steal drops name's lock whoever holds it (tests: an expired lock taken
// over, as its old owner sees it).
func (m *Memory) steal(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.locks, name)
	m.broadcast()
}

// broadcast wakes every Lock waiting for a lock to be freed. m.mu is held.
func (m *Memory) broadcast() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// memoryOwnership is one taken lock's token in a Memory.
type memoryOwnership struct {
	m     *Memory
	name  string
	token uint64
}

func (o memoryOwnership) renew(_ context.Context, ttl time.Duration) (bool, error) {
	o.m.mu.Lock()
	defer o.m.mu.Unlock()
	e, ok := o.m.locks[o.name]
	if !ok || e.token != o.token {
		return false, nil
	}
	o.m.locks[o.name] = memoryEntry{token: o.token, expires: time.Now().Add(ttl)}
	return true, nil
}

func (o memoryOwnership) release(context.Context) (bool, error) {
	o.m.mu.Lock()
	defer o.m.mu.Unlock()
	e, ok := o.m.locks[o.name]
	if !ok || e.token != o.token {
		return false, nil
	}
	delete(o.m.locks, o.name)
	o.m.broadcast()
	return true, nil
}
