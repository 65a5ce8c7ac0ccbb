package cache_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/cache"
	"github.com/bkjob/bkjob/platform/cache/cachetest"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/testenv"
)

// newRedis returns a cache on BKJOB_TEST_REDIS_URL with a key prefix of its
// own, and deletes its keys after t.
func newRedis(t *testing.T) cache.Cache {
	opts, err := redis.ParseURL(testenv.Require(t, "BKJOB_TEST_REDIS_URL"))
	require.NoError(t, err)
	client := redis.NewClient(opts)
	b := make([]byte, 6)
	_, err = rand.Read(b)
	require.NoError(t, err)
	prefix := "bkjob:test:" + hex.EncodeToString(b) + ":"
	c := cache.NewRedis(client, prefix)
	t.Cleanup(func() {
		ctx := context.Background()
		keys, err := client.Keys(ctx, prefix+"*").Result()
		require.NoError(t, err)
		if len(keys) > 0 {
			require.NoError(t, client.Del(ctx, keys...).Err())
		}
		require.NoError(t, c.Close())
	})
	return c
}

func TestRedisContract(t *testing.T) {
	cachetest.Run(t, newRedis)
}

func TestOpenRedis(t *testing.T) {
	url := testenv.Require(t, "BKJOB_TEST_REDIS_URL")
	c, err := cache.Open(context.Background(), config.Cache{Backend: "redis", RedisURL: url})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close()) })
	require.NoError(t, c.Set(t.Context(), "test:open", []byte("v"), 0))
	require.NoError(t, c.Delete(t.Context(), "test:open"))
}
