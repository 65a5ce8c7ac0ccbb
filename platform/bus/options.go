package bus

import (
	"context"
	"log/slog"
	"time"

	"github.com/bkjob/bkjob/platform/config"
)

// Options tune a backend. Zero fields take the defaults below.
type Options struct {
	// Prefetch bounds how many events (or calls) one subscription (or
	// handler) processes at once.
	Prefetch int
	// CallTimeout bounds Call, Publish and Broadcast when ctx has no deadline.
	CallTimeout time.Duration
	// RetryMin is the delay before a failed event is redelivered; it doubles
	// per failure of the same event up to RetryMax.
	RetryMin time.Duration
	RetryMax time.Duration
	// Log receives warnings (handler errors, reconnects).
	Log *slog.Logger
}

const (
	defaultPrefetch    = 32
	defaultCallTimeout = 30 * time.Second
	defaultRetryMin    = 100 * time.Millisecond
	defaultRetryMax    = 10 * time.Second
)

// OptionsFrom maps the bus configuration section to Options.
func OptionsFrom(cfg config.Bus, log *slog.Logger) Options {
	return Options{Prefetch: cfg.Prefetch, CallTimeout: cfg.CallTimeout, Log: log}
}

func (o Options) withDefaults() Options {
	if o.Prefetch < 1 {
		o.Prefetch = defaultPrefetch
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = defaultCallTimeout
	}
	if o.RetryMin <= 0 {
		o.RetryMin = defaultRetryMin
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(defaultRetryMax, o.RetryMin)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// retryDelay is the backoff before the attempt-th redelivery (attempt >= 1).
func (o Options) retryDelay(attempt int) time.Duration {
	return backoff(attempt, o.RetryMin, o.RetryMax)
}

// bounded gives ctx the default timeout when it has no deadline.
func (o Options) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, o.CallTimeout)
}

// sleepCtx waits d or until ctx ends; it reports whether d elapsed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// logFailure reports a failed event handler; a handler stopped because its
// subscription is going away is routine and logged at debug level.
func logFailure(ctx context.Context, log *slog.Logger, topic string, attempt int, err error) {
	level := slog.LevelWarn
	if ctx.Err() != nil {
		level = slog.LevelDebug
	}
	log.Log(ctx, level, "bus event handler failed", "topic", topic, "attempt", attempt, "err", err)
}
