package db_test

import (
	"context"
	"fmt"
	"io/fs"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/schema"
)

func TestMigrateSQLite(t *testing.T) { runMigrateSuite(t, sqliteBackend()) }

func TestMigrateMySQL(t *testing.T) { runMigrateSuite(t, mysqlBackend(t)) }

// runMigrateSuite is the one migration contract, run on every dialect.
func runMigrateSuite(t *testing.T, b backend) {
	t.Run("embedded schema applies and a second run is a no-op", func(t *testing.T) {
		gdb := open(t, b.driver, b.newDSN(t))
		sub, err := fs.Sub(schema.FS, b.driver)
		require.NoError(t, err)
		files, err := db.LoadMigrations(sub)
		require.NoError(t, err)
		require.NotEmpty(t, files)

		require.NoError(t, db.Migrate(t.Context(), gdb, b.driver))
		first := appliedVersions(t, gdb)
		require.Len(t, first, len(files))
		for i, f := range files {
			require.Equal(t, f.Version, first[i])
		}
		require.NoError(t, db.Migrate(t.Context(), gdb, b.driver))
		require.Equal(t, first, appliedVersions(t, gdb))
	})

	t.Run("a second migration set applies only the new versions", func(t *testing.T) {
		gdb := open(t, b.driver, b.newDSN(t))
		require.NoError(t, db.MigrateFS(t.Context(), gdb, b.driver, testMigrations(b.driver, 3)))
		require.NoError(t, db.MigrateFS(t.Context(), gdb, b.driver, testMigrations(b.driver, 3)))
		requireAppliedOnce(t, gdb, 3)

		require.NoError(t, db.MigrateFS(t.Context(), gdb, b.driver, testMigrations(b.driver, 6)))
		requireAppliedOnce(t, gdb, 6)
	})

	t.Run("a failing migration leaves nothing behind and can be fixed", func(t *testing.T) {
		gdb := open(t, b.driver, b.newDSN(t))
		broken := testMigrations(b.driver, 2)
		broken["0003_broken.sql"] = &fstest.MapFile{Data: []byte(
			"INSERT INTO side_effect (version, note) VALUES (3, 'first');\nINSERT INTO no_such_table VALUES (1);\n")}
		err := db.MigrateFS(t.Context(), gdb, b.driver, broken)
		require.ErrorContains(t, err, "0003_broken")
		requireAppliedOnce(t, gdb, 2)

		fixed := testMigrations(b.driver, 2)
		fixed["0003_broken.sql"] = &fstest.MapFile{Data: []byte(
			"INSERT INTO side_effect (version, note) VALUES (3, 'first');\nINSERT INTO side_effect (version, note) VALUES (3, 'second');\n")}
		require.NoError(t, db.MigrateFS(t.Context(), gdb, b.driver, fixed))
		requireAppliedOnce(t, gdb, 3)
	})

	t.Run("a renamed applied migration is an error", func(t *testing.T) {
		gdb := open(t, b.driver, b.newDSN(t))
		require.NoError(t, db.MigrateFS(t.Context(), gdb, b.driver, testMigrations(b.driver, 2)))
		renamed := testMigrations(b.driver, 2)
		renamed["0002_renamed.sql"] = renamed["0002_insert_2.sql"]
		delete(renamed, "0002_insert_2.sql")
		require.ErrorContains(t, db.MigrateFS(t.Context(), gdb, b.driver, renamed), "0002")
	})

	t.Run("the driver must match the connection", func(t *testing.T) {
		gdb := open(t, b.driver, b.newDSN(t))
		other := db.DriverMySQL
		if b.driver == db.DriverMySQL {
			other = db.DriverSQLite
		}
		require.Error(t, db.MigrateFS(t.Context(), gdb, other, testMigrations(b.driver, 1)))
	})

	t.Run("concurrent connections apply each migration once", func(t *testing.T) {
		dsn := b.newDSN(t)
		const workers, versions = 4, 12
		dbs := make([]*gorm.DB, workers)
		for i := range dbs {
			dbs[i] = open(t, b.driver, dsn)
		}
		// An existing database: schema_migrations is there, so every run
		// reads it at once and they race for the first migration.
		require.NoError(t, db.MigrateFS(t.Context(), dbs[0], b.driver, fstest.MapFS{}))
		start := make(chan struct{})
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for i, gdb := range dbs {
			wg.Go(func() {
				<-start
				errs[i] = db.MigrateFS(context.Background(), gdb, b.driver, testMigrations(b.driver, versions))
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "worker %d", i)
		}
		requireAppliedOnce(t, dbs[0], versions)
	})

	t.Run("concurrent processes apply each migration once", func(t *testing.T) {
		runMigrateProcesses(t, b.driver, b.newDSN(t))
	})
}

// slowStatement takes a moment on each dialect, so that concurrent runs
// overlap: the others have read schema_migrations before the first one
// finishes 0001.
func slowStatement(driver string) string {
	if driver == db.DriverMySQL {
		return "SELECT SLEEP(0.2)"
	}
	return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) SELECT COUNT(*) FROM c"
}

// testMigrations is a set of n migrations: 0001 creates side_effect (slowly),
// each later version inserts two rows (one with a ';' inside a string)
// naming itself, so a migration applied twice shows as four rows.
func testMigrations(driver string, n int) fstest.MapFS {
	fsys := fstest.MapFS{
		"0001_create_side_effect.sql": &fstest.MapFile{Data: []byte(
			"-- the table every later version writes to;\n" +
				"CREATE TABLE side_effect (\n  version INTEGER NOT NULL,\n  note VARCHAR(64) NOT NULL\n);\n" +
				slowStatement(driver) + ";\n")},
		"README.md": &fstest.MapFile{Data: []byte("not a migration")},
	}
	for v := 2; v <= n; v++ {
		fsys[fmt.Sprintf("%04d_insert_%d.sql", v, v)] = &fstest.MapFile{Data: fmt.Appendf(nil,
			"-- version %d\nINSERT INTO side_effect (version, note) VALUES (%d, 'a;b');\n"+
				"INSERT INTO side_effect (version, note)\n  VALUES (%d, 'second');\n", v, v, v)}
	}
	return fsys
}

// requireAppliedOnce checks versions 1..n are each recorded once and each
// later version's rows were inserted exactly once.
func requireAppliedOnce(t *testing.T, gdb *gorm.DB, n int) {
	t.Helper()
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	require.Equal(t, want, appliedVersions(t, gdb))

	var rows []struct {
		Version int
		N       int
	}
	require.NoError(t, gdb.Raw("SELECT version, COUNT(*) AS n FROM side_effect GROUP BY version ORDER BY version").Scan(&rows).Error)
	require.Len(t, rows, n-1)
	for i, r := range rows {
		require.Equal(t, i+2, r.Version)
		require.Equal(t, 2, r.N, "rows of version %d", r.Version)
	}
}

func appliedVersions(t *testing.T, gdb *gorm.DB) []int {
	t.Helper()
	applied, err := db.Applied(t.Context(), gdb)
	require.NoError(t, err)
	out := make([]int, 0, len(applied))
	for _, a := range applied {
		require.NotEmpty(t, a.Name)
		require.False(t, a.AppliedAt.IsZero())
		out = append(out, a.Version)
	}
	return out
}
