package db_test

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/schema"
)

// TestSchemaDialectsMatch keeps the two migration sets in step: the same
// versions with the same names, none empty.
func TestSchemaDialectsMatch(t *testing.T) {
	load := func(driver string) map[int]string {
		sub, err := fs.Sub(schema.FS, driver)
		require.NoError(t, err)
		migrations, err := db.LoadMigrations(sub)
		require.NoError(t, err)
		out := map[int]string{}
		for _, m := range migrations {
			require.NotEmpty(t, m.Statements, "schema/%s/%04d_%s.sql has no statement", driver, m.Version, m.Name)
			out[m.Version] = m.Name
		}
		return out
	}
	require.Equal(t, load(db.DriverSQLite), load(db.DriverMySQL))
}
