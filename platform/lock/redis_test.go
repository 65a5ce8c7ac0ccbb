package lock_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/lock"
	"github.com/bkjob/bkjob/platform/lock/locktest"
	"github.com/bkjob/bkjob/platform/testenv"
)

// redisPrefix returns a key prefix of its own for t and deletes its keys
// after t.
func redisPrefix(t *testing.T, client *redis.Client) string {
	b := make([]byte, 6)
	_, err := rand.Read(b)
	require.NoError(t, err)
	prefix := "bkjob:test:" + hex.EncodeToString(b) + ":lock:"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, err := client.Keys(ctx, prefix+"*").Result()
		require.NoError(t, err)
		if len(keys) > 0 {
			require.NoError(t, client.Del(ctx, keys...).Err())
		}
	})
	return prefix
}

func newClient(t *testing.T) *redis.Client {
	opts, err := redis.ParseURL(testenv.Require(t, "BKJOB_TEST_REDIS_URL"))
	require.NoError(t, err)
	client := redis.NewClient(opts)
	t.Cleanup(func() { _ = client.Close() })
	return client
}

func TestRedisContract(t *testing.T) {
	admin := newClient(t)
	prefixes := map[lock.Locker]string{}
	locktest.Run(t, locktest.Backend{
		New: func(t *testing.T) lock.Locker {
			prefix := redisPrefix(t, admin)
			l := lock.NewRedis(newClient(t), prefix)
			t.Cleanup(func() { require.NoError(t, l.Close()) })
			prefixes[l] = prefix
			return l
		},
		Steal: func(t *testing.T, l lock.Locker, name string) {
			require.NoError(t, admin.Del(t.Context(), prefixes[l]+name).Err())
		},
	})
}

// TestRedisLockersExclude checks two Lockers on one Redis (two processes,
// in effect) exclude each other and that a lock abandoned by a closed
// Locker expires after its ttl.
func TestRedisLockersExclude(t *testing.T) {
	prefix := redisPrefix(t, newClient(t))
	a := lock.NewRedis(newClient(t), prefix)
	b := lock.NewRedis(newClient(t), prefix)
	t.Cleanup(func() { require.NoError(t, b.Close()) })

	h, err := a.TryLock(t.Context(), "job", 200*time.Millisecond)
	require.NoError(t, err)
	_, err = b.TryLock(t.Context(), "job", time.Second)
	require.ErrorIs(t, err, lock.ErrHeld)

	require.NoError(t, a.Close()) // no longer renewed nor released
	<-h.Lost()
	got, err := b.Lock(t.Context(), "job", time.Second)
	require.NoError(t, err, "the abandoned lock expires")
	require.NoError(t, got.Unlock(t.Context()))
}

func TestOpenRedis(t *testing.T) {
	url := testenv.Require(t, "BKJOB_TEST_REDIS_URL")
	l, err := lock.Open(context.Background(), config.Lock{Backend: "redis", RedisURL: url})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	h, err := l.TryLock(t.Context(), "test:open", time.Second)
	require.NoError(t, err)
	require.NoError(t, h.Unlock(t.Context()))
}
