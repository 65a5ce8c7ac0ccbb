package db_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/db"
)

// TestIsDataErrorOnMySQL: what MariaDB really answers for issue 7's tag
// (256 × 中 cut at 256 bytes) and for a value too long is a data error; the
// same statement with a valid value is taken.
func TestIsDataErrorOnMySQL(t *testing.T) {
	gdb := open(t, db.DriverMySQL, mysqlBackend(t).newDSN(t))
	require.NoError(t, gdb.Exec("CREATE TABLE t (tag VARCHAR(256) NOT NULL) DEFAULT CHARSET=utf8mb4").Error)
	cut := strings.Repeat("中", 256)[:256]
	tests := []struct {
		name string
		tag  string
		data bool
	}{
		{"a tag cut inside a character", cut, true},
		{"a value too long", strings.Repeat("x", 300), true},
		{"256 whole characters", strings.Repeat("中", 256), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := gdb.Exec("INSERT INTO t (tag) VALUES (?)", tt.tag).Error
			require.Equal(t, tt.data, err != nil, "%v", err)
			require.Equal(t, tt.data, db.IsDataError(err), "%v", err)
		})
	}
}
