// Package cachetest is the one contract test suite every cache.Cache
// backend runs.
package cachetest

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/cache"
)

// Run checks newCache's caches against the Cache contract. newCache returns
// an empty cache of its own (fresh key space) and closes it after t.
func Run(t *testing.T, newCache func(t *testing.T) cache.Cache) {
	t.Run("get set miss", func(t *testing.T) {
		c := newCache(t)
		_, err := c.Get(t.Context(), "absent")
		require.ErrorIs(t, err, cache.ErrMiss)

		value := []byte{0, 1, 2, 255}
		require.NoError(t, c.Set(t.Context(), "k", value, 0))
		value[0] = 9 // the cache keeps its own copy
		got, err := c.Get(t.Context(), "k")
		require.NoError(t, err)
		require.Equal(t, []byte{0, 1, 2, 255}, got)

		require.NoError(t, c.Set(t.Context(), "k", []byte("two"), time.Hour))
		got, err = c.Get(t.Context(), "k")
		require.NoError(t, err)
		require.Equal(t, []byte("two"), got)

		require.NoError(t, c.Set(t.Context(), "empty", nil, 0))
		got, err = c.Get(t.Context(), "empty")
		require.NoError(t, err)
		require.Empty(t, got)
	})

	t.Run("ttl expiry", func(t *testing.T) {
		c := newCache(t)
		require.NoError(t, c.Set(t.Context(), "forever", []byte("f"), 0))
		require.NoError(t, c.Set(t.Context(), "long", []byte("l"), time.Hour))
		require.NoError(t, c.Set(t.Context(), "short", []byte("s"), 50*time.Millisecond))
		require.Eventually(t, func() bool {
			_, err := c.Get(t.Context(), "short")
			return errors.Is(err, cache.ErrMiss)
		}, 5*time.Second, 10*time.Millisecond)
		for _, key := range []string{"forever", "long"} {
			_, err := c.Get(t.Context(), key)
			require.NoError(t, err, key)
		}
	})

	t.Run("delete", func(t *testing.T) {
		c := newCache(t)
		require.NoError(t, c.Set(t.Context(), "k", []byte("v"), 0))
		require.NoError(t, c.Delete(t.Context(), "k"))
		_, err := c.Get(t.Context(), "k")
		require.ErrorIs(t, err, cache.ErrMiss)
		require.NoError(t, c.Delete(t.Context(), "never-set"))
	})

	t.Run("incr", func(t *testing.T) {
		c := newCache(t)
		tests := []struct {
			delta int64
			want  int64
		}{{delta: 1, want: 1}, {delta: 5, want: 6}, {delta: -10, want: -4}, {delta: 0, want: -4}}
		for _, tt := range tests {
			n, err := c.Incr(t.Context(), "n", tt.delta, time.Hour)
			require.NoError(t, err)
			require.Equal(t, tt.want, n)
		}
		got, err := c.Get(t.Context(), "n")
		require.NoError(t, err)
		require.Equal(t, "-4", string(got), "a counter reads back as its decimal value")

		require.NoError(t, c.Set(t.Context(), "text", []byte("abc"), 0))
		_, err = c.Incr(t.Context(), "text", 1, 0)
		require.Error(t, err)
	})

	t.Run("incr creates with ttl and starts again after expiry", func(t *testing.T) {
		c := newCache(t)
		n, err := c.Incr(t.Context(), "window", 3, 50*time.Millisecond)
		require.NoError(t, err)
		require.Equal(t, int64(3), n)
		require.Eventually(t, func() bool {
			_, err := c.Get(t.Context(), "window")
			return errors.Is(err, cache.ErrMiss)
		}, 5*time.Second, 10*time.Millisecond)
		n, err = c.Incr(t.Context(), "window", 2, time.Hour)
		require.NoError(t, err)
		require.Equal(t, int64(2), n)
	})

	t.Run("incr keeps the ttl it was created with", func(t *testing.T) {
		// Fixed windows (rate limits, failure counts) rely on it: a counter
		// hit again and again still ends when its first ttl says.
		c := newCache(t)
		_, err := c.Incr(t.Context(), "fixed", 1, 100*time.Millisecond)
		require.NoError(t, err)
		n, err := c.Incr(t.Context(), "fixed", 1, time.Hour)
		require.NoError(t, err)
		require.Equal(t, int64(2), n)
		require.Eventually(t, func() bool {
			_, err := c.Get(t.Context(), "fixed")
			return errors.Is(err, cache.ErrMiss)
		}, 5*time.Second, 10*time.Millisecond)
	})

	t.Run("incr is atomic under concurrency", func(t *testing.T) {
		c := newCache(t)
		const workers, each = 8, 50
		var (
			mu   sync.Mutex
			seen []int64
			wg   sync.WaitGroup
		)
		for range workers {
			wg.Go(func() {
				for range each {
					n, err := c.Incr(t.Context(), "hits", 1, time.Hour)
					if err != nil {
						t.Errorf("incr: %v", err)
						return
					}
					mu.Lock()
					seen = append(seen, n)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		sort.Slice(seen, func(i, j int) bool { return seen[i] < seen[j] })
		require.Len(t, seen, workers*each)
		for i, n := range seen {
			require.Equal(t, int64(i+1), n, "every increment returns a distinct value")
		}
		got, err := c.Get(t.Context(), "hits")
		require.NoError(t, err)
		require.Equal(t, fmt.Sprint(workers*each), string(got))
	})
}
