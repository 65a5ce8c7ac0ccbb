package locktest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/lock"
)

// countingLocker counts gocron's lock attempts and successes.
type countingLocker struct {
	next gocron.Locker

	mu       sync.Mutex
	attempts int
	taken    int
}

func (c *countingLocker) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	l, err := c.next.Lock(ctx, key)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.attempts++
	if err == nil {
		c.taken++
	}
	return l, err
}

func (c *countingLocker) counts() (attempts, taken int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts, c.taken
}

// runGocron drives two schedulers on one fake clock, both scheduling the
// same job and sharing l through lock.NewGocron: on every tick both try
// the lock and exactly one runs the job.
func runGocron(t *testing.T, l lock.Locker) {
	const (
		schedulers = 2
		ticks      = 3
		interval   = time.Minute
		job        = "tick"
	)
	clock := clockwork.NewFakeClock()
	locker := &countingLocker{next: lock.NewGocron(l, lock.GocronOptions{TTL: time.Second, MinHold: 100 * time.Millisecond})}
	var (
		mu   sync.Mutex
		runs int
	)
	ran := func() int {
		mu.Lock()
		defer mu.Unlock()
		return runs
	}
	for range schedulers {
		s, err := gocron.NewScheduler(gocron.WithClock(clock), gocron.WithDistributedLocker(locker))
		require.NoError(t, err)
		_, err = s.NewJob(gocron.DurationJob(interval), gocron.NewTask(func() {
			mu.Lock()
			runs++
			mu.Unlock()
		}), gocron.WithName(job))
		require.NoError(t, err)
		s.Start()
		t.Cleanup(func() { require.NoError(t, s.Shutdown()) })
	}

	for tick := 1; tick <= ticks; tick++ {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		require.NoError(t, clock.BlockUntilContext(ctx, schedulers), "both schedulers armed for tick %d", tick)
		cancel()
		clock.Advance(interval)

		require.Eventually(t, func() bool {
			attempts, _ := locker.counts()
			return attempts == schedulers*tick && ran() >= tick
		}, 10*time.Second, 5*time.Millisecond, "tick %d: every scheduler tried and one ran", tick)
		_, taken := locker.counts()
		require.Equal(t, tick, taken, "tick %d: exactly one scheduler took the lock", tick)
		require.Equal(t, tick, ran(), "tick %d: the job ran once", tick)

		// The lock is released once MinHold is over, before the next tick.
		require.Eventually(t, func() bool {
			h, err := l.TryLock(t.Context(), lock.GocronPrefix+job, time.Second)
			if err != nil {
				return false
			}
			require.NoError(t, h.Unlock(t.Context()))
			return true
		}, 10*time.Second, 5*time.Millisecond)
	}
	require.Equal(t, ticks, ran())
}
