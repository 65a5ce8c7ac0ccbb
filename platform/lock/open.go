package lock

import (
	"context"
	"fmt"
	"time"

	"github.com/bkjob/bkjob/platform/config"
)

// openTimeout bounds the first contact with Redis at startup.
const openTimeout = 10 * time.Second

// Open returns the Locker cfg selects: "memory" (one process) or "redis"
// (redis_url, shared by every process).
func Open(ctx context.Context, cfg config.Lock) (Locker, error) {
	switch cfg.Backend {
	case "memory":
		return NewMemory(), nil
	case "redis":
		ctx, cancel := context.WithTimeout(ctx, openTimeout)
		defer cancel()
		r, err := OpenRedis(ctx, cfg.RedisURL)
		if err != nil {
			return nil, err
		}
		return r, nil
	default:
		return nil, fmt.Errorf("open lock: unknown backend %q (want memory or redis)", cfg.Backend)
	}
}
