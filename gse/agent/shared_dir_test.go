package agent_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io/fs"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/agent"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/schema"
)

const (
	testToken = "test-token"
	wait      = 30 * time.Second
)

// testHub is an in-process hub on an httptest server, recording events.
type testHub struct {
	hub *hub.Hub
	url string
	rec *gsetest.Recorder
}

func startHub(t *testing.T) *testHub {
	t.Helper()
	return startHubOn(t, nil)
}

// startHubOn serves the hub on ln when it is not nil (a TLS listener).
func startHubOn(t *testing.T, ln net.Listener) *testHub {
	t.Helper()
	ctx := context.Background()
	gdb, err := db.Open(ctx, config.DB{Driver: db.DriverSQLite, DSN: filepath.Join(t.TempDir(), "bkjob.db"), MaxOpenConns: 4},
		"", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close(gdb) })
	files := fstest.MapFS{}
	for _, name := range []string{"0010_hosts.sql", "0015_host_ssh.sql", "0070_agent_credential.sql", "0085_gse_hub_task.sql"} {
		data, err := fs.ReadFile(schema.FS, db.DriverSQLite+"/"+name)
		require.NoError(t, err)
		files[name] = &fstest.MapFile{Data: data}
	}
	require.NoError(t, db.MigrateFS(ctx, gdb, db.DriverSQLite, files))
	store, err := blob.NewLocal(t.TempDir())
	require.NoError(t, err)
	th := &testHub{rec: gsetest.NewRecorder()}
	th.hub, err = hub.New(hub.Config{Tokens: []string{testToken}, HeartbeatInterval: 100 * time.Millisecond,
		OfflineAfterMissed: 30, MaxOutputBytes: 64 << 10, Blob: store}, gdb, slog.New(slog.DiscardHandler), th.rec.Sink)
	require.NoError(t, err)
	require.NoError(t, th.hub.Start(ctx))
	srv := httptest.NewUnstartedServer(th.hub.Handler())
	if ln != nil {
		_ = srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	th.url = srv.URL
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, th.hub.Shutdown(ctx))
	})
	return th
}

// startAgent runs an in-process agent at ip, with its own data dir, until
// the test ends, and waits until it is connected.
func (th *testHub) startAgent(t *testing.T, ip string) gse.Host {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	opts := agent.Options{Server: th.url, Token: testToken, IP: ip, DataDir: t.TempDir(),
		ReconnectMin: 20 * time.Millisecond, ReconnectMax: 200 * time.Millisecond, KillGrace: time.Second}
	go func() { done <- agent.Run(ctx, opts, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	var host gse.Host
	require.Eventually(t, func() bool {
		rec, ok, err := th.hub.Registry().ByAddress(ctx, 0, ip)
		if err != nil || !ok {
			return false
		}
		host = gse.Host{ID: rec.ID, IP: rec.IP, AgentID: rec.Agent()}
		st, err := th.hub.AgentStatus(ctx, []gse.Host{host})
		return err == nil && st[0].Alive
	}, wait, 10*time.Millisecond, "agent %s never connected", ip)
	return host
}

// TestTwoAgentsPullIntoOneDirectory: two agents (as on one machine, or on
// hosts sharing an NFS directory) pull the same file into the same target
// directory at the same time; each writes its own partial file, so both
// succeed and the file arrives intact with no partial file left behind.
func TestTwoAgentsPullIntoOneDirectory(t *testing.T) {
	th := startHub(t)
	src := th.startAgent(t, "127.0.0.81")
	targets := []gse.Host{th.startAgent(t, "127.0.0.82"), th.startAgent(t, "127.0.0.83")}
	data := make([]byte, 1<<20)
	_, _ = rand.Read(data)
	path := filepath.Join(t.TempDir(), "shared.bin")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	dir := t.TempDir()

	// the download limit keeps both copies in flight at the same time
	require.NoError(t, th.hub.StartFile(t.Context(), gse.FileTask{TaskID: "shared", Targets: targets, TargetDir: dir,
		Sources: []gse.FileSource{{Host: &src, Path: path}}, Mode: gse.TransferForce, Timeout: wait, DownloadLimit: 2 << 20}))
	for _, h := range targets {
		res := th.rec.WaitResult(t, "shared", h.ID, wait)
		require.Equal(t, gse.HostStatusSuccess, res.Status, "host %d: %s", h.ID, res.ErrorMsg)
	}
	got, err := os.ReadFile(filepath.Join(dir, "shared.bin"))
	require.NoError(t, err)
	require.True(t, bytes.Equal(data, got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.False(t, strings.HasSuffix(e.Name(), ".part"), "partial file %s left behind", e.Name())
	}
}
