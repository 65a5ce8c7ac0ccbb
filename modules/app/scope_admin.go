package app

import (
	"context"
	"io"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/modules/manage/manageimpl"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/logging"
)

// OpenScopeAdmin opens cfg's database as `bkjob serve` does (migrating it
// first), makes sure business 1 exists as the manage role would at start,
// and returns manage's scope administration over it with its closer:
// `bkjob biz` and `bkjob biz-set` work on the server's database directly,
// without a running server or a login.
func OpenScopeAdmin(ctx context.Context, cfg *config.Config, stderr io.Writer) (manage.ScopeAdmin, func() error, error) {
	log, err := logging.New(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return nil, nil, &config.KeyError{Key: "log", Reason: err.Error()}
	}
	if err := cfg.EnsureDataDir(); err != nil {
		return nil, nil, err
	}
	gdb, err := openDB(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	svc := manageimpl.New(gdb, logging.ForRole(log, "manage"))
	if err := svc.Bootstrap(ctx); err != nil {
		_ = closeGorm(gdb)
		return nil, nil, err
	}
	return svc, func() error { return closeGorm(gdb) }, nil
}
