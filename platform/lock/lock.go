// Package lock provides named mutual exclusion across goroutines (memory) or
// processes (Redis: SET NX PX with an owner token, safe release, renewal
// while held). gocron.go adapts it to gocron v2's distributed Locker.
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
