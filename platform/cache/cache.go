// Package cache is a small key/value cache with TTL: bounded in memory by
// default, Redis when configured. Values are bytes; callers encode.
//
// Backends: memory.go (NewMemory) and redis.go (NewRedis, OpenRedis; keys
// prefixed "bkjob:"), chosen by Open from config.Cache. Package cachetest
// holds the contract suite both run.
package cache

import (
	"context"
	"errors"
	"time"
)

// Cache is implemented by memory.go and redis.go.
type Cache interface {
	// Get returns ErrMiss when the key is absent or expired.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value; ttl <= 0 means no expiry (still subject to the size bound in memory).
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
	// Incr adds delta to an integer counter, creating it with ttl when absent,
	// and returns the new value (rate limits, quotas).
	Incr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error)
	Close() error
}

// ErrMiss means the key is not in the cache.
var ErrMiss = errors.New("cache miss")
