package hub_test

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/agent"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/platform/testenv"
	"github.com/bkjob/bkjob/schema"
)

const testToken = "test-token"

// logBuffer collects log lines from several goroutines.
type logBuffer = testenv.Buffer

// hubMigrations are the schema files the hub's tables come from.
var hubMigrations = []string{"0010_hosts", "0015_host_ssh", "0070_agent_credential", "0085_gse_hub_task", "0130_agent_tokens"}

// migrationsOnly is schema's files of this package's range, for a dialect
// (those not written yet are skipped).
func migrationsOnly(t testing.TB, dialect string) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	for _, name := range hubMigrations {
		data, err := fs.ReadFile(schema.FS, dialect+"/"+name+".sql")
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		require.NoError(t, err)
		out[name+".sql"] = &fstest.MapFile{Data: data}
	}
	require.NotEmpty(t, out)
	return out
}

// newSQLite opens a fresh migrated SQLite database.
func newSQLite(t testing.TB) *gorm.DB {
	t.Helper()
	ctx := context.Background()
	gdb, err := db.Open(ctx, config.DB{Driver: db.DriverSQLite, DSN: filepath.Join(t.TempDir(), "bkjob.db"), MaxOpenConns: 4}, "", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close(gdb) })
	require.NoError(t, db.MigrateFS(ctx, gdb, db.DriverSQLite, migrationsOnly(t, db.DriverSQLite)))
	return gdb
}

// testHub is a started hub on an httptest server.
type testHub struct {
	// onEvents, when set before the agents start, sees every batch first.
	onEvents func([]gse.Event)

	hub  *hub.Hub
	db   *gorm.DB
	srv  *httptest.Server
	rec  *gsetest.Recorder
	blob blob.Store
	logs *logBuffer
}

func fastConfig() hub.Config {
	return hub.Config{
		Tokens:             []string{testToken},
		HeartbeatInterval:  100 * time.Millisecond,
		OfflineAfterMissed: 30,
		MaxOutputBytes:     64 << 10,
	}
}

func startHub(t testing.TB, mod func(*hub.Config)) *testHub {
	t.Helper()
	store, err := blob.NewLocal(t.TempDir())
	require.NoError(t, err)
	cfg := fastConfig()
	cfg.Blob = store
	if mod != nil {
		mod(&cfg)
	}
	th := &testHub{rec: gsetest.NewRecorder(), blob: store, logs: &logBuffer{}}
	log := slog.New(slog.NewTextHandler(th.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sink := func(ctx context.Context, events []gse.Event) error {
		if th.onEvents != nil {
			th.onEvents(events)
		}
		return th.rec.Sink(ctx, events)
	}
	th.db = newSQLite(t)
	h, err := hub.New(cfg, th.db, log, sink)
	require.NoError(t, err)
	require.NoError(t, h.Start(context.Background()))
	th.hub = h
	th.srv = httptest.NewServer(h.Handler())
	t.Cleanup(func() {
		th.srv.CloseClientConnections()
		th.srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, h.Shutdown(ctx))
	})
	return th
}

// agentOptions are fast-reconnecting options for an agent at ip.
func (th *testHub) agentOptions(t testing.TB, ip string) agent.Options {
	return agent.Options{
		Server: th.srv.URL, Token: testToken, IP: ip, DataDir: t.TempDir(),
		ReconnectMin: 20 * time.Millisecond, ReconnectMax: 200 * time.Millisecond, KillGrace: time.Second,
	}
}

// runAgent runs an in-process agent until the test ends (or stop is called).
func runAgent(t testing.TB, opts agent.Options) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- agent.Run(ctx, opts, slog.New(slog.DiscardHandler)) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			err = <-done
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// waitHost waits until the agent at ip is registered and connected.
func (th *testHub) waitHost(t testing.TB, ip string) gse.Host {
	t.Helper()
	var host gse.Host
	require.Eventually(t, func() bool {
		rec, ok, err := th.hub.Registry().ByAddress(context.Background(), 0, ip)
		if err != nil || !ok {
			return false
		}
		host = gse.Host{ID: rec.ID, IP: rec.IP, AgentID: rec.Agent()}
		st, err := th.hub.AgentStatus(context.Background(), []gse.Host{host})
		return err == nil && st[0].Alive
	}, 30*time.Second, 10*time.Millisecond, "agent %s never connected", ip)
	return host
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
