package lock

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisPrefix is put before every lock name in Redis.
const RedisPrefix = "bkjob:lock:"

const (
	// renewScript extends KEYS[1] to ARGV[2] ms if it still holds token ARGV[1].
	renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`
	// releaseScript deletes KEYS[1] if it still holds token ARGV[1].
	releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`
	// Lock polls a held lock with a backoff between these bounds.
	minPoll = 5 * time.Millisecond
	maxPoll = 200 * time.Millisecond
)

// Redis is a Locker shared by every process using one Redis: SET NX PX
// with a random owner token; renewal and release are Lua scripts that act
// only while the token is still there.
type Redis struct {
	client  redis.UniversalClient
	prefix  string
	renew   *redis.Script
	release *redis.Script
	reg     *registry
}

var _ Locker = (*Redis)(nil)

// NewRedis uses client, putting prefix before every lock name. Close
// closes client.
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{
		client:  client,
		prefix:  prefix,
		renew:   redis.NewScript(renewScript),
		release: redis.NewScript(releaseScript),
		reg:     newRegistry(),
	}
}

// OpenRedis connects to url (redis://user:pass@host:port/db) and checks it
// answers; lock names get RedisPrefix.
func OpenRedis(ctx context.Context, url string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse lock redis url: %w", err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("ping lock redis %s: %w", opts.Addr, err)
	}
	return NewRedis(client, RedisPrefix), nil
}

// TryLock implements Locker with SET NX and a random owner token.
func (r *Redis) TryLock(ctx context.Context, name string, ttl time.Duration) (Held, error) {
	if err := checkTTL(name, ttl); err != nil {
		return nil, err
	}
	if r.reg.isClosed() {
		return nil, fmt.Errorf("lock %s: %w", name, ErrClosed)
	}
	token, err := newToken()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	key := r.prefix + name
	ok, err := r.client.SetNX(ctx, key, token, ttl).Result()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if !ok {
		return nil, fmt.Errorf("lock %s: %w", name, ErrHeld)
	}
	h, err := newHeld(ctx, r.reg, name, ttl, redisOwnership{r: r, key: key, token: token})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// Lock implements Locker by polling TryLock with jittered waits.
func (r *Redis) Lock(ctx context.Context, name string, ttl time.Duration) (Held, error) {
	poll := minPoll
	for {
		h, err := r.TryLock(ctx, name, ttl)
		if err == nil || !errors.Is(err, ErrHeld) {
			return h, err
		}
		wait := time.NewTimer(poll/2 + rand.N(poll)) //nolint:gosec // G404: jitter between polls, not a secret
		select {
		case <-ctx.Done():
			wait.Stop()
			return nil, fmt.Errorf("lock %s: %w", name, ctx.Err())
		case <-wait.C:
		}
		poll = min(2*poll, maxPoll)
	}
}

// Close stops renewing every lock taken through r and closes the client.
func (r *Redis) Close() error {
	if !r.reg.close() {
		return nil
	}
	if err := r.client.Close(); err != nil {
		return fmt.Errorf("close lock redis: %w", err)
	}
	return nil
}

// redisOwnership is one taken lock's key and token.
type redisOwnership struct {
	r     *Redis
	key   string
	token string
}

func (o redisOwnership) renew(ctx context.Context, ttl time.Duration) (bool, error) {
	n, err := o.r.renew.Run(ctx, o.r.client, []string{o.key}, o.token, ttl.Milliseconds()).Int64()
	return n == 1, err
}

func (o redisOwnership) release(ctx context.Context) (bool, error) {
	n, err := o.r.release.Run(ctx, o.r.client, []string{o.key}, o.token).Int64()
	return n == 1, err
}

func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := crand.Read(b); err != nil {
		return "", fmt.Errorf("make owner token: %w", err)
	}
	return hex.EncodeToString(b), nil
}
