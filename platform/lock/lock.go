// Package lock provides named mutual exclusion across goroutines (memory) or
// processes (Redis: SET NX PX with an owner token, safe release, renewal
// while held). gocron.go adapts it to gocron v2's distributed Locker.
//
// Both backends behave alike: a lock lives for its ttl unless renewed; a
// Held renews itself every ttl/3 until Unlock, and closes Lost when a
// renewal finds its token gone or replaced, or cannot reach the backend
// before the ttl runs out. Close stops renewing every Held (closing their
// Lost) without releasing them: they expire after their ttl. Backends:
// memory.go (NewMemory) and redis.go (NewRedis, OpenRedis; keys
// "bkjob:lock:<name>"), chosen by Open; locktest holds the contract suite.
package lock

import (
	"context"
	"errors"
	"time"
)

// Locker is implemented by memory.go and redis.go.
type Locker interface {
	// TryLock takes name if it is free and returns its handle, or ErrHeld.
	// The lock expires after ttl unless renewed; Held locks renew themselves
	// until released.
	TryLock(ctx context.Context, name string, ttl time.Duration) (Held, error)
	// Lock waits until name is free or ctx ends.
	Lock(ctx context.Context, name string, ttl time.Duration) (Held, error)
	Close() error
}

// Held is a lock this process owns.
type Held interface {
	// Unlock releases the lock only if this owner still holds it.
	Unlock(ctx context.Context) error
	// Lost is closed when the lock could not be renewed and may be held by
	// someone else now.
	Lost() <-chan struct{}
}

// ErrHeld means another owner holds the lock.
var ErrHeld = errors.New("lock held by another owner")

// ErrNotHeld means this owner no longer holds the lock it is releasing: it
// expired or was taken over (see Held.Lost), or was released already.
var ErrNotHeld = errors.New("lock not held by this owner")

// ErrClosed means the Locker has been closed.
var ErrClosed = errors.New("locker closed")
