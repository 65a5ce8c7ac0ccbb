package hub_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"log/slog"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/platform/testenv"
)

// newMySQL creates a fresh database on BKJOB_TEST_MYSQL_DSN's server,
// migrated with this package's schema, and drops it afterwards.
func newMySQL(t *testing.T) *gorm.DB {
	admin := testenv.Require(t, "BKJOB_TEST_MYSQL_DSN")
	cfg, err := gomysql.ParseDSN(admin)
	require.NoError(t, err)
	conn, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "bkjob_test_gse_" + hex.EncodeToString(b)
	_, err = conn.ExecContext(t.Context(), "CREATE DATABASE "+name+" CHARACTER SET utf8mb4")
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = conn.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name) })
	cfg.DBName = name
	gdb, err := db.Open(t.Context(), config.DB{Driver: db.DriverMySQL, DSN: cfg.FormatDSN(), MaxOpenConns: 4}, "", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close(gdb) })
	require.NoError(t, db.MigrateFS(t.Context(), gdb, db.DriverMySQL, migrationsOnly(t, db.DriverMySQL)))
	return gdb
}

func TestRegistry(t *testing.T) {
	backends := map[string]func(t *testing.T) *gorm.DB{
		"sqlite": func(t *testing.T) *gorm.DB { return newSQLite(t) },
		"mysql":  newMySQL,
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) { testRegistry(t, hub.NewRegistry(open(t))) })
	}
}

func testRegistry(t *testing.T, r *hub.Registry) {
	ctx := t.Context()
	free := func(int64) bool { return false }
	busy := func(int64) bool { return true }
	reg := func(agentID, ip string) hub.Registration {
		return hub.Registration{AgentID: agentID, BizID: 3, CloudID: 0, IP: ip, IPv6: []string{"fe80::1", "2001:db8::1"},
			Hostname: "h-" + agentID, OS: "linux", Arch: "amd64", Version: "v1"}
	}

	a, err := r.Register(ctx, reg("agent-a", "10.0.0.1"), free)
	require.NoError(t, err)
	require.Positive(t, a.ID)
	require.Equal(t, int64(3), a.BizID)
	require.Equal(t, "1", a.OSType)
	require.Equal(t, "agent-a", a.Agent())

	t.Run("same agent again keeps the id", func(t *testing.T) {
		again := reg("agent-a", "10.0.0.1")
		again.BizID, again.Version = 9, "v2"
		got, err := r.Register(ctx, again, free)
		require.NoError(t, err)
		require.Equal(t, a.ID, got.ID)
		require.Equal(t, int64(3), got.BizID, "the business is set when the host is created")
		stored, ok, err := r.Get(ctx, a.ID)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "v2", stored.AgentVersion)
		require.Equal(t, "fe80::1,2001:db8::1", stored.IPv6)
		require.True(t, stored.Alive)
	})

	t.Run("agent moving to a new address keeps its host", func(t *testing.T) {
		got, err := r.Register(ctx, reg("agent-a", "10.0.0.2"), free)
		require.NoError(t, err)
		require.Equal(t, a.ID, got.ID)
		_, ok, err := r.ByAddress(ctx, 0, "10.0.0.1")
		require.NoError(t, err)
		require.False(t, ok)
	})

	t.Run("second agent on a connected host's address is refused", func(t *testing.T) {
		_, err := r.Register(ctx, reg("agent-b", "10.0.0.2"), busy)
		require.True(t, errors.Is(err, hub.ErrAddressInUse), "got %v", err)
	})

	t.Run("reinstalled agent takes over an offline host", func(t *testing.T) {
		got, err := r.Register(ctx, reg("agent-b", "10.0.0.2"), free)
		require.NoError(t, err)
		require.Equal(t, a.ID, got.ID)
		require.Equal(t, "agent-b", got.Agent())
	})

	t.Run("agent moving onto another host's address frees its old row", func(t *testing.T) {
		c, err := r.Register(ctx, reg("agent-c", "10.0.0.3"), free)
		require.NoError(t, err)
		require.NotEqual(t, a.ID, c.ID)
		got, err := r.Register(ctx, reg("agent-c", "10.0.0.2"), free)
		require.NoError(t, err)
		require.Equal(t, a.ID, got.ID)
		old, ok, err := r.Get(ctx, c.ID)
		require.NoError(t, err)
		require.True(t, ok)
		require.Empty(t, old.Agent())
		require.False(t, old.Alive)
	})

	t.Run("offline and list", func(t *testing.T) {
		require.NoError(t, r.SetAlive(ctx, []int64{a.ID}, false))
		got, _, err := r.Get(ctx, a.ID)
		require.NoError(t, err)
		require.False(t, got.Alive)
		rows, err := r.List(ctx, 3)
		require.NoError(t, err)
		require.Len(t, rows, 2)
		rows, err = r.List(ctx, 4)
		require.NoError(t, err)
		require.Empty(t, rows)
	})
}
