package db_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/platform/testenv"
)

// backend makes fresh, empty databases of one dialect for the suite.
type backend struct {
	driver string
	// newDSN returns the DSN of a new empty database, removed after t.
	newDSN func(t *testing.T) string
}

func sqliteBackend() backend {
	return backend{
		driver: db.DriverSQLite,
		newDSN: func(t *testing.T) string { return filepath.Join(t.TempDir(), "bkjob.db") },
	}
}

// mysqlBackend creates a uniquely named database per test on the server
// BKJOB_TEST_MYSQL_DSN points at, and drops it afterwards.
func mysqlBackend(t *testing.T) backend {
	admin := testenv.Require(t, "BKJOB_TEST_MYSQL_DSN")
	return backend{
		driver: db.DriverMySQL,
		newDSN: func(t *testing.T) string {
			cfg, err := gomysql.ParseDSN(admin)
			require.NoError(t, err)
			conn, err := sql.Open("mysql", cfg.FormatDSN())
			require.NoError(t, err)
			t.Cleanup(func() { _ = conn.Close() })

			name := "bkjob_test_" + randomHex(t)
			_, err = conn.ExecContext(t.Context(), "CREATE DATABASE "+name+" CHARACTER SET utf8mb4")
			require.NoError(t, err)
			t.Cleanup(func() {
				_, err := conn.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name)
				require.NoError(t, err)
			})
			cfg.DBName = name
			return cfg.FormatDSN()
		},
	}
}

func randomHex(t *testing.T) string {
	b := make([]byte, 6)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// open connects to dsn and closes the pool after t.
func open(t *testing.T, driver, dsn string) *gorm.DB {
	t.Helper()
	gdb, err := db.Open(t.Context(), config.DB{Driver: driver, DSN: dsn, MaxOpenConns: 4}, "", nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close(gdb)) })
	return gdb
}
