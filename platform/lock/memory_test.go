package lock_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/lock"
	"github.com/bkjob/bkjob/platform/lock/locktest"
)

func TestMemoryContract(t *testing.T) {
	locktest.Run(t, locktest.Backend{
		New: func(t *testing.T) lock.Locker {
			m := lock.NewMemory()
			t.Cleanup(func() { require.NoError(t, m.Close()) })
			return m
		},
		Steal: func(t *testing.T, l lock.Locker, name string) {
			lock.StealMemory(l.(*lock.Memory), name)
		},
	})
}

func TestOpen(t *testing.T) {
	l, err := lock.Open(context.Background(), config.Lock{Backend: "memory"})
	require.NoError(t, err)
	require.IsType(t, &lock.Memory{}, l)
	require.NoError(t, l.Close())

	_, err = lock.Open(context.Background(), config.Lock{Backend: "etcd"})
	require.ErrorContains(t, err, "unknown backend")

	l, err = lock.Open(context.Background(), config.Lock{Backend: "redis", RedisURL: "redis://127.0.0.1:1/0"})
	require.Error(t, err)
	require.Nil(t, l)
}
