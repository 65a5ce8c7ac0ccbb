package cache

import (
	"context"
	"fmt"
	"time"

	"github.com/bkjob/bkjob/platform/config"
)

// openTimeout bounds the first contact with Redis at startup.
const openTimeout = 10 * time.Second

// Open returns the cache cfg selects: "memory" (bounded by max_entries) or
// "redis" (redis_url).
func Open(ctx context.Context, cfg config.Cache) (Cache, error) {
	switch cfg.Backend {
	case "memory":
		return NewMemory(MemoryOptions{MaxEntries: cfg.MaxEntries}), nil
	case "redis":
		ctx, cancel := context.WithTimeout(ctx, openTimeout)
		defer cancel()
		r, err := OpenRedis(ctx, cfg.RedisURL)
		if err != nil {
			return nil, err
		}
		return r, nil
	default:
		return nil, fmt.Errorf("open cache: unknown backend %q (want memory or redis)", cfg.Backend)
	}
}
