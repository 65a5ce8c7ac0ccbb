package cache_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/cache"
	"github.com/bkjob/bkjob/platform/cache/cachetest"
	"github.com/bkjob/bkjob/platform/config"
)

func newMemory(t *testing.T, opts cache.MemoryOptions) *cache.Memory {
	m := cache.NewMemory(opts)
	t.Cleanup(func() { require.NoError(t, m.Close()) })
	return m
}

func TestMemoryContract(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) cache.Cache {
		return newMemory(t, cache.MemoryOptions{MaxEntries: 1000})
	})
}

func TestMemoryEvictsLeastRecentlyUsed(t *testing.T) {
	m := newMemory(t, cache.MemoryOptions{MaxEntries: 3})
	for _, k := range []string{"a", "b", "c"} {
		require.NoError(t, m.Set(t.Context(), k, []byte(k), 0))
	}
	_, err := m.Get(t.Context(), "a") // a is now more recent than b
	require.NoError(t, err)
	_, err = m.Incr(t.Context(), "d", 1, 0)
	require.NoError(t, err)
	require.Equal(t, 3, m.Len())

	tests := []struct {
		key     string
		present bool
	}{{"a", true}, {"b", false}, {"c", true}, {"d", true}}
	for _, tt := range tests {
		_, err := m.Get(t.Context(), tt.key)
		if tt.present {
			require.NoError(t, err, tt.key)
		} else {
			require.ErrorIs(t, err, cache.ErrMiss, tt.key)
		}
	}
}

func TestMemoryJanitorPurgesExpired(t *testing.T) {
	m := newMemory(t, cache.MemoryOptions{MaxEntries: 100, PurgeEvery: 10 * time.Millisecond})
	for i := range 10 {
		require.NoError(t, m.Set(t.Context(), fmt.Sprint("short", i), []byte("x"), 20*time.Millisecond))
	}
	require.NoError(t, m.Set(t.Context(), "kept", []byte("x"), 0))
	require.Eventually(t, func() bool { return m.Len() == 1 }, 5*time.Second, 5*time.Millisecond,
		"expired entries are purged without being read")
}

func TestMemoryCloseStopsJanitor(t *testing.T) {
	m := cache.NewMemory(cache.MemoryOptions{MaxEntries: 10, PurgeEvery: time.Millisecond})
	require.NoError(t, m.Close())
	require.NoError(t, m.Close(), "close twice")
	require.NoError(t, m.Set(t.Context(), "short", []byte("x"), time.Millisecond))
	// Read lazily it is gone, but nothing purged it behind our back.
	require.Never(t, func() bool { return m.Len() == 0 }, 50*time.Millisecond, 5*time.Millisecond)
	_, err := m.Get(t.Context(), "short")
	require.True(t, errors.Is(err, cache.ErrMiss))
	require.Equal(t, 0, m.Len())
}

func TestOpen(t *testing.T) {
	c, err := cache.Open(context.Background(), config.Cache{Backend: "memory", MaxEntries: 10})
	require.NoError(t, err)
	require.IsType(t, &cache.Memory{}, c)
	require.NoError(t, c.Close())

	_, err = cache.Open(context.Background(), config.Cache{Backend: "memcached"})
	require.ErrorContains(t, err, "unknown backend")

	c, err = cache.Open(context.Background(), config.Cache{Backend: "redis", RedisURL: "redis://127.0.0.1:1/0"})
	require.Error(t, err)
	require.Nil(t, c)
}
