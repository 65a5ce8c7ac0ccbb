package db

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/config"
)

// Driver names as used in config (db.driver) and as schema/<driver>/.
const (
	DriverSQLite = "sqlite"
	DriverMySQL  = "mysql"
)

// pool is how many connections database/sql keeps and for how long.
type pool struct {
	maxOpen     int
	maxIdle     int
	maxLifetime time.Duration
	maxIdleTime time.Duration
}

// Open connects to the database cfg names and checks it answers. For SQLite
// an empty cfg.DSN means <dataDir>/bkjob.db; the directory is created.
// log receives gorm's warnings (failed and slow statements).
func Open(ctx context.Context, cfg config.DB, dataDir string, log *slog.Logger) (*gorm.DB, error) {
	var (
		dialector gorm.Dialector
		p         pool
		err       error
	)
	switch cfg.Driver {
	case DriverSQLite:
		dialector, p, err = sqliteDialector(cfg, dataDir)
	case DriverMySQL:
		dialector, p, err = mysqlDialector(cfg)
	default:
		err = fmt.Errorf("unknown driver %q (want %s or %s)", cfg.Driver, DriverSQLite, DriverMySQL)
	}
	if err != nil {
		return nil, fmt.Errorf("open db: %w", err)
	}
	gdb, err := gorm.Open(classifying{dialector}, &gorm.Config{
		Logger:                 newLogger(log),
		NowFunc:                func() time.Time { return time.Now().UTC() },
		TranslateError:         true,
		DisableAutomaticPing:   true,
		SkipDefaultTransaction: false,
	})
	if err != nil {
		return nil, fmt.Errorf("open db %s: %w", cfg.Driver, err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, fmt.Errorf("open db %s: %w", cfg.Driver, err)
	}
	sqlDB.SetMaxOpenConns(p.maxOpen)
	sqlDB.SetMaxIdleConns(p.maxIdle)
	sqlDB.SetConnMaxLifetime(p.maxLifetime)
	sqlDB.SetConnMaxIdleTime(p.maxIdleTime)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("ping db %s: %w", cfg.Driver, err)
	}
	return gdb, nil
}

// Close closes the connection pool behind gdb.
func Close(gdb *gorm.DB) error {
	sqlDB, err := gdb.DB()
	if err != nil {
		return fmt.Errorf("close db: %w", err)
	}
	if err := sqlDB.Close(); err != nil {
		return fmt.Errorf("close db: %w", err)
	}
	return nil
}

// Stats returns the connection pool figures (open, in use, idle, waits) for
// metrics.
func Stats(gdb *gorm.DB) (sql.DBStats, error) {
	sqlDB, err := gdb.DB()
	if err != nil {
		return sql.DBStats{}, fmt.Errorf("db stats: %w", err)
	}
	return sqlDB.Stats(), nil
}
