package manageimpl

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/stretchr/testify/require"
)

func newService(t *testing.T) *Service {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	gdb, err := db.Open(ctx, config.DB{Driver: "sqlite", MaxOpenConns: 4}, t.TempDir(), log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close(gdb) })
	require.NoError(t, db.Migrate(ctx, gdb, "sqlite"))
	svc := New(gdb, log)
	require.NoError(t, svc.Bootstrap(ctx))
	require.NoError(t, svc.Bootstrap(ctx), "bootstrap is idempotent")
	return svc
}

// The same assertions hold for the implementation and for the bus client
// that reaches it, so the remote path cannot rot.
func TestManageContract(t *testing.T) {
	impl := newService(t)
	b, err := bus.Open(context.Background(), config.Bus{Backend: "memory", CallTimeout: 5e9, Prefetch: 4, ExchangePrefix: "t"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	require.NoError(t, manage.Serve(b, impl))

	for name, svc := range map[string]manage.Service{"impl": impl, "bus client": manage.NewClient(b)} {
		t.Run(name, func(t *testing.T) { runContract(t, svc) })
	}
}

func runContract(t *testing.T, svc manage.Service) {
	ctx := context.Background()
	scope, err := svc.ResolveScope(ctx, "biz", "1")
	require.NoError(t, err)
	require.Equal(t, int64(1), scope.BizID)
	require.Equal(t, "Default", scope.Name)

	_, err = svc.ResolveScope(ctx, "biz", "999")
	require.ErrorIs(t, err, manage.ErrScopeNotFound)
	require.Equal(t, "bk_scope_id", errs.From(err).Field)

	_, err = svc.ResolveScope(ctx, "tenant", "1")
	require.ErrorIs(t, err, manage.ErrScopeNotFound)
	require.Equal(t, "bk_scope_type", errs.From(err).Field)

	root, err := svc.Account(ctx, 1, manage.AccountRef{Alias: "root"})
	require.NoError(t, err)
	require.Equal(t, "root", root.Account)
	require.Equal(t, manage.AccountTypeLinux, root.Type)

	byID, err := svc.Account(ctx, 1, manage.AccountRef{ID: root.ID})
	require.NoError(t, err)
	require.Equal(t, root, byID)

	_, err = svc.Account(ctx, 1, manage.AccountRef{Alias: "nobody"})
	require.ErrorIs(t, err, manage.ErrAccountNotFound)
	require.Equal(t, "account_alias", errs.From(err).Field)

	_, err = svc.Account(ctx, 2, manage.AccountRef{ID: root.ID})
	require.ErrorIs(t, err, manage.ErrAccountNotFound, "accounts do not leak across businesses")
	require.Equal(t, "account_id", errs.From(err).Field)
}
