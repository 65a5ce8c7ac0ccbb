package hub_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
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
	reg := func(agentID, ip string, biz int64) hub.Registration {
		return hub.Registration{AgentID: agentID, BizID: biz, CloudID: 0, IP: ip, IPv6: []string{"fe80::1", "2001:db8::1"},
			Hostname: "h-" + agentID, OS: "linux", Arch: "amd64", Version: "v1"}
	}

	a, err := r.Enrol(ctx, reg("agent-a", "10.0.0.1", 3), free)
	require.NoError(t, err)
	require.Positive(t, a.Host.ID)
	require.Equal(t, int64(3), a.Host.BizID)
	require.Equal(t, "1", a.Host.OSType)
	require.Equal(t, "agent-a", a.Host.Agent())
	require.Len(t, a.Credential, 64)

	t.Run("an unconfirmed credential may be issued again while offline", func(t *testing.T) {
		again, err := r.Enrol(ctx, reg("agent-a", "10.0.0.1", 3), free)
		require.NoError(t, err)
		require.Equal(t, a.Host.ID, again.Host.ID)
		require.NotEqual(t, a.Credential, again.Credential)
		_, err = r.Verify(ctx, "agent-a", a.Credential)
		require.ErrorIs(t, err, hub.ErrBadCredential, "the first one is void")
		a = again
	})

	t.Run("but never while the host is connected", func(t *testing.T) {
		_, err := r.Enrol(ctx, reg("agent-a", "10.0.0.1", 3), busy)
		require.ErrorIs(t, err, hub.ErrAddressInUse)
	})

	cred, err := r.Verify(ctx, "agent-a", a.Credential)
	require.NoError(t, err)
	require.Equal(t, a.Host.ID, cred.HostID)
	require.NoError(t, r.Confirm(ctx, "agent-a"))

	refusals := []struct {
		name string
		reg  hub.Registration
		want error
	}{
		{"a confirmed agent id by token", reg("agent-a", "10.0.0.1", 3), hub.ErrNeedsCredential},
		{"another agent on a bound host", reg("agent-b", "10.0.0.1", 3), hub.ErrAddressInUse},
		{"another business's token", reg("agent-b", "10.0.0.1", 4), hub.ErrOtherBusiness},
	}
	for _, tt := range refusals {
		t.Run("refused: "+tt.name, func(t *testing.T) {
			_, err := r.Enrol(ctx, tt.reg, free)
			require.ErrorIs(t, err, tt.want)
		})
	}

	t.Run("credential reclaims the host and moves it to a free address", func(t *testing.T) {
		cred, err := r.Verify(ctx, "agent-a", a.Credential)
		require.NoError(t, err)
		again := reg("agent-a", "10.0.0.2", 9)
		again.Version = "v2"
		got, err := r.Reclaim(ctx, cred, again)
		require.NoError(t, err)
		require.Equal(t, a.Host.ID, got.ID)
		require.Equal(t, int64(3), got.BizID, "a host's business never changes")
		stored, ok, err := r.Get(ctx, a.Host.ID)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "v2", stored.AgentVersion)
		require.Equal(t, "10.0.0.2", stored.IP)
		require.Equal(t, "fe80::1,2001:db8::1", stored.IPv6)
	})

	t.Run("credential cannot move onto another host's address", func(t *testing.T) {
		c, err := r.Enrol(ctx, reg("agent-c", "10.0.0.3", 3), free)
		require.NoError(t, err)
		require.NotEqual(t, a.Host.ID, c.Host.ID)
		cred, err := r.Verify(ctx, "agent-a", a.Credential)
		require.NoError(t, err)
		_, err = r.Reclaim(ctx, cred, reg("agent-a", "10.0.0.3", 3))
		require.ErrorIs(t, err, hub.ErrAddressInUse)
	})

	t.Run("revoke frees the host and refuses the agent", func(t *testing.T) {
		found, err := r.Revoke(ctx, "agent-a", "admin")
		require.NoError(t, err)
		require.True(t, found)
		_, err = r.Verify(ctx, "agent-a", a.Credential)
		require.ErrorIs(t, err, hub.ErrRevoked)
		_, err = r.Enrol(ctx, reg("agent-a", "10.0.0.2", 3), free)
		require.ErrorIs(t, err, hub.ErrRevoked)
		// Asked about more ids than one IN list holds.
		asked := []string{"agent-c"}
		for i := range 1200 {
			asked = append(asked, fmt.Sprintf("filler-%d", i))
		}
		ids, err := r.RevokedAmong(ctx, append(asked, "agent-a"))
		require.NoError(t, err)
		require.Equal(t, []string{"agent-a"}, ids)
		b, err := r.Enrol(ctx, reg("agent-b", "10.0.0.2", 3), free)
		require.NoError(t, err)
		require.Equal(t, a.Host.ID, b.Host.ID, "a reinstalled agent takes the freed host")
		found, err = r.Revoke(ctx, "no-such-agent", "admin")
		require.NoError(t, err)
		require.False(t, found)
	})

	t.Run("offline and list", func(t *testing.T) {
		require.NoError(t, r.SetAlive(ctx, []int64{a.Host.ID}, false))
		got, _, err := r.Get(ctx, a.Host.ID)
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
