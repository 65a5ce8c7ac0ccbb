package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

const (
	// mysqlMigrateLock is the GET_LOCK name serialising migration runs.
	mysqlMigrateLock = "bkjob.migrate"
	// mysqlMigrateLockWait is how long a run waits for another to finish, in
	// seconds.
	mysqlMigrateLockWait = 60
	// sqliteBeginWait bounds how long BEGIN IMMEDIATE retries while another
	// process holds the write lock beyond busy_timeout.
	sqliteBeginWait = 60 * time.Second
	// sqliteBusy is SQLITE_BUSY, the low byte of an extended result code.
	sqliteBusy = 5
)

// migrationTx is what a migration runs in: *sql.Tx, or for SQLite a
// transaction begun with BEGIN IMMEDIATE on a dedicated connection.
type migrationTx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	Commit() error
	Rollback() error
}

// dialect is what differs between SQLite and MySQL when migrating.
type dialect struct {
	hasTable    string // counts tables named schema_migrations
	createTable string
	lock        func(ctx context.Context, conn *sql.Conn) (unlock func() error, err error)
	begin       func(ctx context.Context, conn *sql.Conn) (migrationTx, error)
}

func dialectFor(driver string) (dialect, error) {
	switch driver {
	case DriverSQLite:
		return dialect{
			hasTable: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
			createTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER NOT NULL PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at DATETIME NOT NULL
)`,
			lock:  func(context.Context, *sql.Conn) (func() error, error) { return func() error { return nil }, nil },
			begin: sqliteBegin,
		}, nil
	case DriverMySQL:
		return dialect{
			hasTable: "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'",
			createTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    BIGINT NOT NULL PRIMARY KEY,
  name       VARCHAR(255) NOT NULL,
  applied_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
			lock: mysqlLock,
			begin: func(ctx context.Context, conn *sql.Conn) (migrationTx, error) {
				tx, err := conn.BeginTx(ctx, nil)
				if err != nil {
					return nil, fmt.Errorf("begin: %w", err)
				}
				return tx, nil
			},
		}, nil
	default:
		return dialect{}, fmt.Errorf("unknown driver %q (want %s or %s)", driver, DriverSQLite, DriverMySQL)
	}
}

// mysqlLock takes the server-wide named lock on conn; it belongs to that
// session, so every later statement of the run must use conn too.
func mysqlLock(ctx context.Context, conn *sql.Conn) (func() error, error) {
	var got sql.NullInt64
	err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", mysqlMigrateLock, mysqlMigrateLockWait).Scan(&got)
	if err != nil {
		return nil, fmt.Errorf("take lock %s: %w", mysqlMigrateLock, err)
	}
	if !got.Valid || got.Int64 != 1 {
		return nil, fmt.Errorf("take lock %s: another migration held it for %ds", mysqlMigrateLock, mysqlMigrateLockWait)
	}
	return func() error {
		// Released even when ctx has ended; the lock would otherwise live
		// as long as the pooled connection.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		var released sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT RELEASE_LOCK(?)", mysqlMigrateLock).Scan(&released); err != nil {
			return fmt.Errorf("release lock %s: %w", mysqlMigrateLock, err)
		}
		return nil
	}, nil
}

// sqliteTx is a transaction begun with a raw BEGIN IMMEDIATE, so it holds
// SQLite's write lock from the start whatever the connection's _txlock.
type sqliteTx struct{ conn *sql.Conn }

func sqliteBegin(ctx context.Context, conn *sql.Conn) (migrationTx, error) {
	deadline := time.Now().Add(sqliteBeginWait)
	for {
		_, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE")
		if err == nil {
			return sqliteTx{conn: conn}, nil
		}
		if !isSQLiteBusy(err) || time.Now().After(deadline) {
			return nil, fmt.Errorf("begin immediate: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("begin immediate: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (t sqliteTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.conn.ExecContext(ctx, query, args...)
}

func (t sqliteTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.conn.QueryRowContext(ctx, query, args...)
}

// Commit and Rollback run on a fresh context: ending the transaction must
// not be skipped because the caller's context ended.
func (t sqliteTx) Commit() error {
	_, err := t.conn.ExecContext(context.Background(), "COMMIT")
	return err
}

func (t sqliteTx) Rollback() error {
	_, err := t.conn.ExecContext(context.Background(), "ROLLBACK")
	return err
}

func isSQLiteBusy(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code()&0xff == sqliteBusy
}
