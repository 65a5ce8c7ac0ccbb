package logsvrimpl_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/logsvr/logsvrimpl"
	"github.com/bkjob/bkjob/modules/logsvr/logsvrtest"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/stretchr/testify/require"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// openStore opens a store and stops it in t.Cleanup.
func openStore(t testing.TB, cfg config.Logsvr, dataDir string) logsvr.Store {
	t.Helper()
	st, err := logsvrimpl.Open(context.Background(), cfg, dataDir, quietLog())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Stop(context.Background()) })
	return st
}

func embeddedStorage(t *testing.T) logsvrtest.Opener {
	dir := t.TempDir()
	return func(capBytes int64) logsvr.Service {
		return openStore(t, config.Logsvr{Backend: "embedded", MaxHostBytes: capBytes}, dir)
	}
}

func TestEmbeddedContract(t *testing.T) {
	logsvrtest.Run(t, embeddedStorage)
}
