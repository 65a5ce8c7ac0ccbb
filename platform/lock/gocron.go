package lock

import (
	"context"
	"fmt"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// GocronPrefix is put before a job's name to make its lock name.
const GocronPrefix = "gocron:"

// Defaults of GocronOptions.
const (
	DefaultGocronTTL     = time.Minute
	DefaultGocronMinHold = 2 * time.Second
)

// GocronOptions configure NewGocron.
type GocronOptions struct {
	// TTL of a job's lock; it is renewed while the job runs, so it only
	// bounds how long a crashed scheduler blocks the job. 0 means
	// DefaultGocronTTL.
	TTL time.Duration
	// MinHold keeps a job's lock at least this long after it was taken, even
	// when the run ends sooner, so a scheduler whose timer fires a little
	// later for the same tick (clock skew, load) finds it taken and skips.
	// Keep it well below the job's interval. 0 means DefaultGocronMinHold;
	// negative means release as soon as the run ends.
	MinHold time.Duration
}

// Gocron adapts a Locker to gocron v2's distributed job locker: of all the
// schedulers sharing the Locker, the one that takes "gocron:<job name>"
// runs the tick; the others skip it.
type Gocron struct {
	locker  Locker
	ttl     time.Duration
	minHold time.Duration
}

var _ gocron.Locker = (*Gocron)(nil)

// NewGocron wraps locker for gocron.WithDistributedLocker.
func NewGocron(locker Locker, opts GocronOptions) *Gocron {
	if opts.TTL == 0 {
		opts.TTL = DefaultGocronTTL
	}
	if opts.MinHold == 0 {
		opts.MinHold = DefaultGocronMinHold
	}
	return &Gocron{locker: locker, ttl: opts.TTL, minHold: max(opts.MinHold, 0)}
}

// Lock takes the job's lock without waiting; an error makes gocron skip
// this run.
func (g *Gocron) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	h, err := g.locker.TryLock(ctx, GocronPrefix+key, g.ttl)
	if err != nil {
		return nil, fmt.Errorf("lock job %s: %w", key, err)
	}
	return &gocronLock{held: h, holdUntil: time.Now().Add(g.minHold)}, nil
}

type gocronLock struct {
	held      Held
	holdUntil time.Time
}

// Unlock releases the job's lock, or schedules its release for when
// MinHold is over; until then it keeps being renewed.
func (l *gocronLock) Unlock(ctx context.Context) error {
	wait := time.Until(l.holdUntil)
	if wait <= 0 {
		return l.held.Unlock(ctx)
	}
	time.AfterFunc(wait, func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		// On failure the lock expires after its ttl.
		_ = l.held.Unlock(ctx)
	})
	return nil
}
