package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"syscall"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/errs"
)

// TestIsUnreachable: connection-level errors are the database being out of
// reach; a statement's own failure is not.
func TestIsUnreachable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"dial refused", fmt.Errorf("query: %w", refused), true},
		{"bad conn", driver.ErrBadConn, true},
		{"mysql invalid connection", gomysql.ErrInvalidConn, true},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"dns", &net.DNSError{Err: "no such host", Name: "db"}, true},
		{"duplicate key", &gomysql.MySQLError{Number: 1062, Message: "duplicate"}, false},
		{"deadline of the caller", context.DeadlineExceeded, false},
		{"already classified", errs.Unreachable(errs.ErrDatabase, refused), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, IsUnreachable(tt.err))
		})
	}
}

// TestTranslateMarksUnreachable: gorm's errors pass the classifier, so a
// lost database is errs.ErrDatabase with the cause kept for the log, and
// other errors are untouched.
func TestTranslateMarksUnreachable(t *testing.T) {
	gdb, err := Open(context.Background(), config.DB{Driver: DriverSQLite, DSN: filepath.Join(t.TempDir(), "t.db")}, t.TempDir(), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = Close(gdb) })

	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	got := gdb.Session(&gorm.Session{NewDB: true}).AddError(fmt.Errorf("query: %w", refused))
	var e *errs.Error
	require.True(t, errors.As(got, &e))
	require.Equal(t, errs.ErrDatabase.Code, e.Code)
	require.ErrorIs(t, got, syscall.ECONNREFUSED)
	require.Contains(t, got.Error(), "connection refused")
	require.Equal(t, "database unavailable", e.Error())

	other := errors.New("no such table")
	require.Equal(t, other, gdb.Session(&gorm.Session{NewDB: true}).AddError(other))
}
