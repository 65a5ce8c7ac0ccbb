package db

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// slowQuery is when a statement is logged as slow.
const slowQuery = 500 * time.Millisecond

// gormLogger routes gorm's log to slog: failed statements (except record
// not found, which callers handle) and slow ones at warn; gorm's own info
// lines are dropped unless the level is raised with LogMode. Statements are
// logged without their parameters so secrets never reach the log.
type gormLogger struct {
	log   *slog.Logger
	level logger.LogLevel
}

var _ logger.Interface = (*gormLogger)(nil)

func newLogger(log *slog.Logger) *gormLogger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &gormLogger{log: log.With("component", "gorm"), level: logger.Warn}
}

func (l *gormLogger) LogMode(level logger.LogLevel) logger.Interface {
	c := *l
	c.level = level
	return &c
}

func (l *gormLogger) Info(ctx context.Context, msg string, data ...any) {
	if l.level >= logger.Info {
		l.log.InfoContext(ctx, "gorm info", "detail", msg, "data", data)
	}
}

func (l *gormLogger) Warn(ctx context.Context, msg string, data ...any) {
	if l.level >= logger.Warn {
		l.log.WarnContext(ctx, "gorm warning", "detail", msg, "data", data)
	}
}

func (l *gormLogger) Error(ctx context.Context, msg string, data ...any) {
	if l.level >= logger.Error {
		l.log.ErrorContext(ctx, "gorm error", "detail", msg, "data", data)
	}
}

func (l *gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if l.level <= logger.Silent {
		return
	}
	elapsed := time.Since(begin)
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && l.level >= logger.Warn:
		query, rows := fc()
		l.log.WarnContext(ctx, "sql statement failed", "sql", query, "rows", rows, "elapsed", elapsed, "err", err)
	case elapsed > slowQuery && l.level >= logger.Warn:
		query, rows := fc()
		l.log.WarnContext(ctx, "slow sql statement", "sql", query, "rows", rows, "elapsed", elapsed)
	case l.level >= logger.Info:
		query, rows := fc()
		l.log.InfoContext(ctx, "sql statement", "sql", query, "rows", rows, "elapsed", elapsed)
	}
}

// ParamsFilter keeps parameters out of logged statements.
func (l *gormLogger) ParamsFilter(_ context.Context, query string, _ ...any) (string, []any) {
	return query, nil
}
