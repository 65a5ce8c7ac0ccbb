package db_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
)

func TestOpenSQLiteDefaultsToDataDir(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "nested", "data")
	gdb, err := db.Open(t.Context(), config.DB{Driver: db.DriverSQLite, MaxOpenConns: 3}, dataDir, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close(gdb)) })
	_, err = os.Stat(filepath.Join(dataDir, "bkjob.db"))
	require.NoError(t, err)

	pragmas := []struct {
		pragma string
		want   string
	}{
		{pragma: "journal_mode", want: "wal"},
		{pragma: "foreign_keys", want: "1"},
		{pragma: "busy_timeout", want: "10000"},
	}
	for _, p := range pragmas {
		var got string
		require.NoError(t, gdb.Raw("PRAGMA "+p.pragma).Scan(&got).Error)
		require.Equal(t, p.want, got, p.pragma)
	}
	stats, err := db.Stats(gdb)
	require.NoError(t, err)
	require.Equal(t, 3, stats.MaxOpenConnections)
	require.GreaterOrEqual(t, stats.OpenConnections, 1)
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name    string
		cfg     config.DB
		dataDir string
		want    string
	}{
		{name: "unknown driver", cfg: config.DB{Driver: "postgres"}, want: "unknown driver"},
		{name: "sqlite without path", cfg: config.DB{Driver: db.DriverSQLite}, want: "data_dir"},
		{name: "sqlite path with query", cfg: config.DB{Driver: db.DriverSQLite, DSN: "x.db?mode=ro"}, want: "plain file path"},
		{name: "mysql without database", cfg: config.DB{Driver: db.DriverMySQL, DSN: "u:secretpw@tcp(127.0.0.1:1)/"}, want: "names no database"},
		{name: "mysql unreachable", cfg: config.DB{Driver: db.DriverMySQL, DSN: "u:secretpw@tcp(127.0.0.1:1)/x?timeout=1s", MaxOpenConns: 1}, want: "mysql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Open(t.Context(), tt.cfg, tt.dataDir, nil)
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), "secretpw")
		})
	}
}

func TestConventionsSQLite(t *testing.T) { runConventionsSuite(t, sqliteBackend()) }

func TestConventionsMySQL(t *testing.T) { runConventionsSuite(t, mysqlBackend(t)) }

// runConventionsSuite checks what doc.go promises stores on every dialect.
func runConventionsSuite(t *testing.T, b backend) {
	gdb := open(t, b.driver, b.newDSN(t))
	require.NoError(t, gdb.Exec("CREATE TABLE parent (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE)").Error)
	require.NoError(t, gdb.Exec("CREATE TABLE child (id INTEGER NOT NULL PRIMARY KEY, parent_id INTEGER NOT NULL, FOREIGN KEY (parent_id) REFERENCES parent (id))").Error)
	require.NoError(t, gdb.Exec("INSERT INTO parent (id, name) VALUES (1, 'a')").Error)

	t.Run("duplicate key is gorm.ErrDuplicatedKey", func(t *testing.T) {
		type parent struct {
			ID   int
			Name string
		}
		err := gdb.Table("parent").Create(&parent{ID: 2, Name: "a"}).Error
		require.ErrorIs(t, err, gorm.ErrDuplicatedKey)
	})
	t.Run("foreign keys are enforced", func(t *testing.T) {
		type child struct {
			ID       int
			ParentID int
		}
		err := gdb.Table("child").Create(&child{ID: 1, ParentID: 42}).Error
		require.ErrorIs(t, err, gorm.ErrForeignKeyViolated)
	})
	t.Run("stats report the pool", func(t *testing.T) {
		stats, err := db.Stats(gdb)
		require.NoError(t, err)
		require.Equal(t, 4, stats.MaxOpenConnections)
	})
}
