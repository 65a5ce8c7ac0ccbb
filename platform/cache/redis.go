package cache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisPrefix is put before every key bkjob stores in Redis.
const RedisPrefix = "bkjob:"

// incrScript adds ARGV[1] to KEYS[1] and, when the key did not exist,
// sets its expiry to ARGV[2] milliseconds (if positive), atomically.
const incrScript = `
local existed = redis.call('EXISTS', KEYS[1])
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 and tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return n`

// Redis is a Cache in Redis, shared by every bkjob process using it.
type Redis struct {
	client redis.UniversalClient
	prefix string
	incr   *redis.Script
}

var _ Cache = (*Redis)(nil)

// NewRedis uses client, putting prefix before every key. Close closes client.
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix, incr: redis.NewScript(incrScript)}
}

// OpenRedis connects to url (redis://user:pass@host:port/db) and checks it
// answers; keys get RedisPrefix.
func OpenRedis(ctx context.Context, url string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse cache redis url: %w", err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("ping cache redis %s: %w", opts.Addr, err)
	}
	return NewRedis(client, RedisPrefix), nil
}

// Get implements Cache.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := r.client.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrMiss
	}
	if err != nil {
		return nil, unreachable(fmt.Errorf("cache get %s: %w", key, err))
	}
	return v, nil
}

// Set implements Cache.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := r.client.Set(ctx, r.prefix+key, value, redisTTL(ttl)).Err(); err != nil {
		return unreachable(fmt.Errorf("cache set %s: %w", key, err))
	}
	return nil
}

// Delete implements Cache.
func (r *Redis) Delete(ctx context.Context, key string) error {
	if err := r.client.Del(ctx, r.prefix+key).Err(); err != nil {
		return unreachable(fmt.Errorf("cache delete %s: %w", key, err))
	}
	return nil
}

// Incr implements Cache with a Lua script, so the add and the expiry are one step.
func (r *Redis) Incr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	n, err := r.incr.Run(ctx, r.client, []string{r.prefix + key}, delta, redisTTL(ttl).Milliseconds()).Int64()
	if err != nil {
		return 0, unreachable(fmt.Errorf("cache incr %s: %w", key, err))
	}
	return n, nil
}

// Close implements Cache; it closes the Redis client.
func (r *Redis) Close() error {
	if err := r.client.Close(); err != nil {
		return fmt.Errorf("close cache redis: %w", err)
	}
	return nil
}

// redisTTL maps ttl to what Redis takes: 0 for none (go-redis reads a
// negative expiry as KEEPTTL), at least a millisecond otherwise.
func redisTTL(ttl time.Duration) time.Duration {
	switch {
	case ttl <= 0:
		return 0
	case ttl < time.Millisecond:
		return time.Millisecond
	default:
		return ttl
	}
}
