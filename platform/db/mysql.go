package db

import (
	"fmt"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/config"
)

// mysqlDialector opens cfg.DSN (user:pass@tcp(host:port)/db?params) with the
// settings bkjob relies on forced: parseTime so DATETIME scans into
// time.Time, loc=UTC, utf8mb4, and no multi-statements (migrations are split
// by platform/db). Connections are recycled after 30 minutes, well inside
// MySQL's wait_timeout and most proxies' idle limits.
func mysqlDialector(cfg config.DB) (gorm.Dialector, pool, error) {
	dsn, err := mysqlDSN(cfg.DSN)
	if err != nil {
		return nil, pool{}, err
	}
	p := pool{
		maxOpen:     cfg.MaxOpenConns,
		maxIdle:     cfg.MaxOpenConns/2 + 1,
		maxLifetime: 30 * time.Minute,
		maxIdleTime: 5 * time.Minute,
	}
	return mysql.New(mysql.Config{DSN: dsn, DefaultStringSize: 255}), p, nil
}

// mysqlDSN normalises dsn; the error never repeats the DSN, which holds the
// password.
func mysqlDSN(dsn string) (string, error) {
	c, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("parse mysql dsn: %w", err)
	}
	if c.DBName == "" {
		return "", fmt.Errorf("mysql dsn names no database (want user:pass@tcp(host:port)/dbname)")
	}
	c.ParseTime = true
	c.Loc = time.UTC
	c.MultiStatements = false
	c.Collation = "utf8mb4_unicode_ci"
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	c.Params["charset"] = "utf8mb4"
	return c.FormatDSN(), nil
}
