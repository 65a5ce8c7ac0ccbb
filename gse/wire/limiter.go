package wire

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiterIdle is how long an unused per-task limiter is kept.
const limiterIdle = 10 * time.Minute

// Limiters hands out one byte-rate limiter per key (a task id), so every
// reader of one task shares its upload limit. Unused limiters expire.
type Limiters struct {
	mu sync.Mutex
	m  map[string]*limiterEntry
}

type limiterEntry struct {
	lim  *rate.Limiter
	used time.Time
}

// Wait blocks until n bytes may pass under a limit of bytesPerSec for key;
// bytesPerSec <= 0 means no limit.
func (l *Limiters) Wait(ctx context.Context, key string, bytesPerSec int64, n int) error {
	if bytesPerSec <= 0 || n <= 0 {
		return nil
	}
	return WaitBytes(ctx, l.get(key, bytesPerSec), n)
}

func (l *Limiters) get(key string, bytesPerSec int64) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.m == nil {
		l.m = map[string]*limiterEntry{}
	}
	for k, e := range l.m {
		if now.Sub(e.used) > limiterIdle {
			delete(l.m, k)
		}
	}
	e := l.m[key]
	if e == nil || e.lim.Limit() != rate.Limit(bytesPerSec) {
		e = &limiterEntry{lim: NewByteLimiter(bytesPerSec)}
		l.m[key] = e
	}
	e.used = now
	return e.lim
}

// NewByteLimiter limits to bytesPerSec with a burst of one chunk; nil when
// bytesPerSec <= 0.
func NewByteLimiter(bytesPerSec int64) *rate.Limiter {
	if bytesPerSec <= 0 {
		return nil
	}
	burst := int(min(bytesPerSec, MaxChunk))
	return rate.NewLimiter(rate.Limit(bytesPerSec), burst)
}

// WaitBytes waits for n bytes on lim (nil = unlimited), in bursts.
func WaitBytes(ctx context.Context, lim *rate.Limiter, n int) error {
	if lim == nil {
		return nil
	}
	for n > 0 {
		step := min(n, lim.Burst())
		if err := lim.WaitN(ctx, step); err != nil {
			return err
		}
		n -= step
	}
	return nil
}
