// Package db opens bkjob's relational database with gorm and applies the
// versioned SQL migrations embedded in package schema.
//
// Two dialects are supported: SQLite (the zero-config default, a single file
// under the data dir, opened with the pure-Go driver github.com/glebarez/sqlite
// so no cgo is needed) and MySQL 5.7+/MariaDB 10.3+ (gorm.io/driver/mysql).
//
// Conventions every store can rely on:
//   - times are written in UTC (gorm's NowFunc, and loc=UTC for MySQL);
//   - gorm's TranslateError is on, so a unique-key violation is
//     gorm.ErrDuplicatedKey and a foreign-key violation gorm.ErrForeignKeyViolated
//     on both dialects;
//   - foreign keys are enforced on both dialects;
//   - gorm logs to slog at warn level: failed statements and slow ones, with
//     parameters left out so secrets never reach the log.
package db
