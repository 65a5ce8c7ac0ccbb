package executetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"path/filepath"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/platform/testenv"
)

// Backend is where an Env keeps its state: a database and a broker. NewBus
// returns a bus and a way to open another connection to the same broker,
// as a second process would.
type Backend struct {
	Name   string
	OpenDB func(t testing.TB) *gorm.DB
	NewBus func(t testing.TB) (bus.Bus, func(t testing.TB) bus.Bus)
}

// SQLiteMemory is the default backend: a SQLite file and the memory bus.
func SQLiteMemory() Backend {
	return Backend{Name: "sqlite+memory", OpenDB: OpenSQLite, NewBus: func(t testing.TB) (bus.Bus, func(testing.TB) bus.Bus) {
		m := bus.NewMemory(bus.Options{})
		t.Cleanup(func() { _ = m.Close() })
		return m, func(t testing.TB) bus.Bus {
			p := m.Peer()
			t.Cleanup(func() { _ = p.Close() })
			return p
		}
	}}
}

// MySQLRabbitMQ uses a fresh database on BKJOB_TEST_MYSQL_DSN's server and
// fresh exchanges on BKJOB_TEST_AMQP_URL's broker for every Env.
func MySQLRabbitMQ(t testing.TB) Backend {
	dsn := testenv.Require(t, "BKJOB_TEST_MYSQL_DSN")
	amqp := testenv.Require(t, "BKJOB_TEST_AMQP_URL")
	return Backend{Name: "mysql+rabbitmq",
		OpenDB: func(t testing.TB) *gorm.DB { return OpenMySQL(t, dsn) },
		NewBus: func(t testing.TB) (bus.Bus, func(testing.TB) bus.Bus) {
			prefix := "bkjobtest" + randomHex(t)
			dial := func(t testing.TB) bus.Bus {
				b, err := bus.DialRabbitMQ(context.Background(), amqp, prefix, bus.Options{})
				require.NoError(t, err)
				t.Cleanup(func() { _ = b.Close() })
				return b
			}
			return dial(t), dial
		}}
}

// OpenSQLite opens a migrated SQLite database in a temp dir.
func OpenSQLite(t testing.TB) *gorm.DB {
	t.Helper()
	dir := t.TempDir()
	gdb, err := db.Open(context.Background(), config.DB{Driver: db.DriverSQLite, DSN: filepath.Join(dir, "bkjob.db"), MaxOpenConns: 4},
		dir, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close(gdb) })
	require.NoError(t, db.Migrate(context.Background(), gdb, db.DriverSQLite))
	EnsureHostTable(t, gdb)
	return gdb
}

// OpenMySQL creates a uniquely named database on admin's server, migrates
// it, and drops it after the test.
func OpenMySQL(t testing.TB, admin string) *gorm.DB {
	t.Helper()
	cfg, err := gomysql.ParseDSN(admin)
	require.NoError(t, err)
	conn, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	name := "bkjob_test_" + randomHex(t)
	_, err = conn.ExecContext(context.Background(), "CREATE DATABASE "+name+" CHARACTER SET utf8mb4")
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = conn.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name) })
	cfg.DBName = name
	gdb, err := db.Open(context.Background(), config.DB{Driver: db.DriverMySQL, DSN: cfg.FormatDSN(), MaxOpenConns: 8}, "",
		slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close(gdb) })
	require.NoError(t, db.Migrate(context.Background(), gdb, db.DriverMySQL))
	EnsureHostTable(t, gdb)
	return gdb
}

func randomHex(t testing.TB) string {
	b := make([]byte, 6)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}
