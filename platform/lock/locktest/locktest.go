// Package locktest is the one contract test suite every lock.Locker
// backend runs, including its use as gocron's distributed locker.
package locktest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/lock"
)

// Backend is what the suite needs from a lock backend.
type Backend struct {
	// New returns a fresh Locker with a name space of its own; it is closed
	// after t.
	New func(t *testing.T) lock.Locker
	// Steal removes name's lock from l's backend behind its owner's back,
	// which is how a lock that expired and was taken over looks to the old
	// owner.
	Steal func(t *testing.T, l lock.Locker, name string)
}

// Run checks b against the Locker contract.
func Run(t *testing.T, b Backend) {
	const ttl = 300 * time.Millisecond

	t.Run("try lock is exclusive per name", func(t *testing.T) {
		l := b.New(t)
		h, err := l.TryLock(t.Context(), "a", ttl)
		require.NoError(t, err)
		_, err = l.TryLock(t.Context(), "a", ttl)
		require.ErrorIs(t, err, lock.ErrHeld)
		other, err := l.TryLock(t.Context(), "b", ttl)
		require.NoError(t, err, "names are independent")
		require.NoError(t, h.Unlock(t.Context()))
		again, err := l.TryLock(t.Context(), "a", ttl)
		require.NoError(t, err)
		require.NoError(t, again.Unlock(t.Context()))
		require.NoError(t, other.Unlock(t.Context()))
	})

	t.Run("unlock twice is not held", func(t *testing.T) {
		l := b.New(t)
		h, err := l.TryLock(t.Context(), "a", ttl)
		require.NoError(t, err)
		require.NoError(t, h.Unlock(t.Context()))
		require.ErrorIs(t, h.Unlock(t.Context()), lock.ErrNotHeld)
	})

	t.Run("ttl below the minimum is refused", func(t *testing.T) {
		l := b.New(t)
		_, err := l.TryLock(t.Context(), "a", lock.MinTTL-time.Millisecond)
		require.ErrorContains(t, err, "ttl")
	})

	t.Run("lock waits until unlock", func(t *testing.T) {
		l := b.New(t)
		h, err := l.TryLock(t.Context(), "a", ttl)
		require.NoError(t, err)
		got := make(chan error, 1)
		go func() {
			w, err := l.Lock(t.Context(), "a", ttl)
			if err == nil {
				err = w.Unlock(context.Background())
			}
			got <- err
		}()
		require.Never(t, func() bool { return len(got) > 0 }, 3*ttl, 20*time.Millisecond,
			"lock returned while another owner held it")
		require.NoError(t, h.Unlock(t.Context()))
		require.Eventually(t, func() bool { return len(got) > 0 }, 10*time.Second, 5*time.Millisecond)
		require.NoError(t, <-got)
	})

	t.Run("lock gives up when its context ends", func(t *testing.T) {
		l := b.New(t)
		h, err := l.TryLock(t.Context(), "a", ttl)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, err = l.Lock(ctx, "a", ttl)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NoError(t, h.Unlock(t.Context()))
	})

	t.Run("renewal keeps a held lock past its ttl", func(t *testing.T) {
		l := b.New(t)
		h, err := l.TryLock(t.Context(), "a", ttl)
		require.NoError(t, err)
		require.Never(t, func() bool {
			other, err := l.TryLock(t.Context(), "a", ttl)
			if err == nil {
				_ = other.Unlock(t.Context())
				return true
			}
			return false
		}, 4*ttl, ttl/5, "the lock was free again while held")
		requireOpen(t, h.Lost())
		require.NoError(t, h.Unlock(t.Context()))
	})

	t.Run("lost fires when the lock is stolen", func(t *testing.T) {
		l := b.New(t)
		h, err := l.TryLock(t.Context(), "a", ttl)
		require.NoError(t, err)
		b.Steal(t, l, "a")
		requireClosed(t, h.Lost())
		require.ErrorIs(t, h.Unlock(t.Context()), lock.ErrNotHeld)
	})

	t.Run("a stale owner's unlock does not release the new owner", func(t *testing.T) {
		l := b.New(t)
		stale, err := l.TryLock(t.Context(), "a", ttl)
		require.NoError(t, err)
		b.Steal(t, l, "a")
		current, err := l.TryLock(t.Context(), "a", ttl)
		require.NoError(t, err)
		requireClosed(t, stale.Lost())
		require.ErrorIs(t, stale.Unlock(t.Context()), lock.ErrNotHeld)
		_, err = l.TryLock(t.Context(), "a", ttl)
		require.ErrorIs(t, err, lock.ErrHeld, "the new owner still holds it")
		requireOpen(t, current.Lost())
		require.NoError(t, current.Unlock(t.Context()))
	})

	t.Run("close stops renewal and refuses new locks", func(t *testing.T) {
		l := b.New(t)
		h, err := l.TryLock(t.Context(), "a", ttl)
		require.NoError(t, err)
		require.NoError(t, l.Close())
		requireClosed(t, h.Lost())
		_, err = l.TryLock(t.Context(), "b", ttl)
		require.ErrorIs(t, err, lock.ErrClosed)
		require.NoError(t, l.Close(), "close twice")
	})

	t.Run("no lost updates under the lock", func(t *testing.T) {
		l := b.New(t)
		const workers, each = 6, 15
		var (
			counter atomic.Int64 // read and written in two steps: only the lock makes it safe
			wg      sync.WaitGroup
		)
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				for range each {
					h, err := l.Lock(t.Context(), "counter", 5*time.Second)
					if err != nil {
						errs <- err
						return
					}
					v := counter.Load()
					time.Sleep(100 * time.Microsecond) // widen the window a lost update needs
					counter.Store(v + 1)
					if err := h.Unlock(t.Context()); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, int64(workers*each), counter.Load())
	})

	t.Run("gocron schedulers sharing the locker run each tick once", func(t *testing.T) {
		runGocron(t, b.New(t))
	})
}

func requireClosed(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	require.Eventually(t, func() bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}, 10*time.Second, 5*time.Millisecond, "lost was not closed")
}

func requireOpen(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
		require.Fail(t, "lost was closed while the lock is held")
	default:
	}
}
