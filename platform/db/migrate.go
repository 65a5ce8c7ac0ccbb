package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/schema"
)

// Migrate applies the migrations embedded in package schema for driver
// ("sqlite" or "mysql") that the database does not have yet.
func Migrate(ctx context.Context, gdb *gorm.DB, driver string) error {
	sub, err := fs.Sub(schema.FS, driver)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", driver, err)
	}
	return MigrateFS(ctx, gdb, driver, sub)
}

// MigrateFS applies the NNNN_name.sql files at the root of fsys, in order,
// that are not recorded in schema_migrations yet. Each migration runs in its
// own transaction (MySQL commits DDL implicitly, so there only its DML is
// transactional) together with the insert that records it.
//
// It is safe to run from several processes at once against one database:
// on MySQL the run holds GET_LOCK('bkjob.migrate') on one dedicated
// connection; on SQLite each migration runs in BEGIN IMMEDIATE, which takes
// the database's single write lock, and re-checks schema_migrations under it.
// Either way each migration is applied exactly once.
//
// A recorded version whose name differs from the file's is an error (the
// files were renumbered); versions recorded but absent from fsys (a newer
// binary migrated this database) are left alone.
func MigrateFS(ctx context.Context, gdb *gorm.DB, driver string, fsys fs.FS) error {
	d, err := dialectFor(driver)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if name := gdb.Dialector.Name(); name != driver {
		return fmt.Errorf("migrate %s: the connection is %s", driver, name)
	}
	migrations, err := LoadMigrations(fsys)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", driver, err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return fmt.Errorf("migrate %s: %w", driver, err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: take connection: %w", driver, err)
	}
	defer func() { _ = conn.Close() }() // back to the pool; the lock was released by unlock

	unlock, err := d.lock(ctx, conn)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", driver, err)
	}
	err = migrate(ctx, conn, d, migrations)
	if uerr := unlock(); uerr != nil && err == nil {
		err = uerr
	}
	if err != nil {
		return fmt.Errorf("migrate %s: %w", driver, err)
	}
	return nil
}

func migrate(ctx context.Context, conn *sql.Conn, d dialect, migrations []Migration) error {
	// Look before creating: on SQLite even CREATE TABLE IF NOT EXISTS
	// waits for the write lock another process may hold for long.
	var exists int
	if err := conn.QueryRowContext(ctx, d.hasTable).Scan(&exists); err != nil {
		return fmt.Errorf("look for schema_migrations: %w", err)
	}
	if exists == 0 {
		if _, err := conn.ExecContext(ctx, d.createTable); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
	}
	applied, err := appliedOn(ctx, conn)
	if err != nil {
		return err
	}
	for _, m := range migrations {
		if name, ok := applied[m.Version]; ok {
			if name != m.Name {
				return fmt.Errorf("migration %04d is %q in the database but %q in the files", m.Version, name, m.Name)
			}
			continue
		}
		if err := applyOne(ctx, conn, d, m); err != nil {
			return fmt.Errorf("apply %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// applyOne runs m and records it in one transaction, unless another
// process recorded it first.
func applyOne(ctx context.Context, conn *sql.Conn, d dialect, m Migration) (err error) {
	tx, err := d.begin(ctx, conn)
	if err != nil {
		return err
	}
	defer func() {
		if err == nil {
			return
		}
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			// The connection may still be inside a transaction: drop it
			// rather than hand it back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
	}()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.Version).Scan(&n); err != nil {
		return fmt.Errorf("check schema_migrations: %w", err)
	}
	if n > 0 {
		return tx.Commit()
	}
	for i, stmt := range m.Statements {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("statement %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx,
		"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.Version, m.Name, time.Now().UTC()); err != nil {
		return fmt.Errorf("record in schema_migrations: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// AppliedMigration is one row of schema_migrations.
type AppliedMigration struct {
	Version   int
	Name      string
	AppliedAt time.Time
}

// Applied lists the migrations recorded in schema_migrations, in version
// order; none when the table does not exist yet.
func Applied(ctx context.Context, gdb *gorm.DB) ([]AppliedMigration, error) {
	if !gdb.WithContext(ctx).Migrator().HasTable("schema_migrations") {
		return nil, nil
	}
	var out []AppliedMigration
	err := gdb.WithContext(ctx).Table("schema_migrations").Order("version").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list schema_migrations: %w", err)
	}
	return out, nil
}

func appliedOn(ctx context.Context, conn *sql.Conn) (map[int]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT version, name FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer func() { _ = rows.Close() }() // read only; rows.Err reports a failed read
	out := map[int]string{}
	for rows.Next() {
		var (
			v    int
			name string
		)
		if err := rows.Scan(&v, &name); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		out[v] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return out, nil
}
