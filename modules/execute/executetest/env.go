package executetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/modules/execute/executeimpl"
	"github.com/bkjob/bkjob/modules/logsvr/logsvrtest"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/crypto"
)

// Env is a running engine on SQLite (or the given DB), the memory bus, the
// fake transport, the logsvrtest fake and the fake manage.
type Env struct {
	DB        *gorm.DB
	Bus       bus.Bus
	Transport *Transport
	Logs      *logsvrtest.Fake
	Manage    *Manage
	Blob      blob.Store
	Crypto    *crypto.Box
	Config    config.Config
	Engine    *executeimpl.Engine
	Options   executeimpl.Options
	// PeerBus opens another connection to the broker (a second process).
	PeerBus func(t testing.TB) bus.Bus
	backend Backend
	log     *slog.Logger
}

// EnvOption changes an Env before its engine is built.
type EnvOption func(*Env)

// WithOptions sets the engine options.
func WithOptions(o executeimpl.Options) EnvOption { return func(e *Env) { e.Options = o } }

// WithBackend keeps the Env's state in b (default SQLiteMemory).
func WithBackend(b Backend) EnvOption { return func(e *Env) { e.backend = b } }

// WithLogger makes the engines log to l (default: discarded, or the test
// log when BKJOB_TEST_LOG is set).
func WithLogger(l *slog.Logger) EnvOption { return func(e *Env) { e.log = l } }

// WithCallbackAllowlist sets api.callback_allowlist (origins).
func WithCallbackAllowlist(origins ...string) EnvOption {
	return func(e *Env) { e.Config.API.CallbackAllowlist = origins }
}

// WithCallbackAllowPrivate sets api.callback_allow_private, which a
// callback receiver on loopback (httptest) needs.
func WithCallbackAllowPrivate() EnvOption {
	return func(e *Env) { e.Config.API.CallbackAllowPrivate = true }
}

// WithConfig changes the configuration the engines get.
func WithConfig(fn func(*config.Config)) EnvOption { return func(e *Env) { fn(&e.Config) } }

// NewEnv builds and starts an engine; everything stops on test cleanup.
func NewEnv(t testing.TB, opts ...EnvOption) *Env {
	t.Helper()
	e := &Env{Options: executeimpl.Options{ReconcileInterval: 200 * time.Millisecond, DispatchLease: time.Second,
		TimeoutGrace: 2 * time.Second, StopGrace: 2 * time.Second}, backend: SQLiteMemory()}
	e.Config.API.CallbackTimeout, e.Config.API.CallbackRetryFor = 5*time.Second, time.Minute
	e.Config.API.CallbackBackoff, e.Config.API.CallbackBackoffMax = 20*time.Millisecond, 200*time.Millisecond
	for _, o := range opts {
		o(e)
	}
	e.DB = e.backend.OpenDB(t)
	e.Bus, e.PeerBus = e.backend.NewBus(t)
	e.Transport = NewTransport()
	t.Cleanup(e.Transport.Close)
	e.Logs = logsvrtest.NewFake(5 << 20)
	e.Manage = NewManage()
	store, err := blob.NewLocal(filepath.Join(t.TempDir(), "blob"))
	require.NoError(t, err)
	e.Blob = store
	e.Crypto, err = crypto.Open("", t.TempDir())
	require.NoError(t, err)
	e.Engine = e.NewEngine(t)
	return e
}

// NewEngine builds and starts another engine on the same DB, bus, transport
// and logs (a second execute process, or the same one restarted), and points
// the transport's sink at it.
func (e *Env) NewEngine(t testing.TB) *executeimpl.Engine {
	t.Helper()
	log := e.log
	if log == nil {
		log = testLogger(t)
	}
	eng, err := executeimpl.New(executeimpl.Deps{DB: e.DB, Bus: e.Bus, Transport: e.Transport, Logs: e.Logs,
		Manage: e.Manage, Blob: e.Blob, Crypto: e.Crypto, Config: e.Config, Log: log, Options: e.Options})
	require.NoError(t, err)
	require.NoError(t, eng.Start(context.Background()))
	t.Cleanup(func() { _ = eng.Stop(context.Background()) })
	e.Transport.SetSink(eng.Sink())
	return eng
}

// EnsureHostTable creates the gse `host` table when no migration has.
func EnsureHostTable(t testing.TB, gdb *gorm.DB) {
	t.Helper()
	if gdb.Migrator().HasTable("host") {
		return
	}
	require.NoError(t, gdb.Exec(`CREATE TABLE host (
  id INTEGER PRIMARY KEY,
  biz_id INTEGER NOT NULL DEFAULT 0,
  cloud_id INTEGER NOT NULL DEFAULT 0,
  ip VARCHAR(64) NOT NULL DEFAULT '',
  ipv6 VARCHAR(64) NOT NULL DEFAULT '',
  agent_id VARCHAR(128) NOT NULL DEFAULT '',
  hostname VARCHAR(256) NOT NULL DEFAULT '',
  os VARCHAR(64) NOT NULL DEFAULT '',
  alive INTEGER NOT NULL DEFAULT 1,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  UNIQUE (cloud_id, ip))`).Error)
}

// AddHosts inserts n hosts 127.0.<i/250>.<i%250+1> with ids first..first+n-1
// into business 1 and returns their ids.
func AddHosts(t testing.TB, gdb *gorm.DB, first int64, n int) []int64 {
	t.Helper()
	ids := make([]int64, 0, n)
	rows := make([]map[string]any, 0, n)
	now := time.Now().UTC()
	for i := 0; i < n; i++ {
		id := first + int64(i)
		ids = append(ids, id)
		rows = append(rows, map[string]any{"id": id, "biz_id": 1, "cloud_id": 0, "ip": HostIP(id),
			"agent_id": fmt.Sprintf("agent-%d", id), "hostname": fmt.Sprintf("h%d", id), "os": "linux", "alive": true,
			"created_at": now, "updated_at": now})
	}
	require.NoError(t, gdb.Table("host").CreateInBatches(rows, 200).Error)
	return ids
}

// HostIP is the IP AddHosts gives host id.
func HostIP(id int64) string { return fmt.Sprintf("127.%d.%d.%d", id/62500%250, id/250%250, id%250+1) }

// testLogger logs through t when BKJOB_TEST_LOG is set.
func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("BKJOB_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
