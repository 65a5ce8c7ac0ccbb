package hub_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse/agent"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/gse/wire"
	"github.com/bkjob/bkjob/platform/blob"
)

// startHubOn starts a hub over gdb (so a second hub can follow a first on
// the same database, as after a restart with a new configuration).
func startHubOn(t *testing.T, gdb *gorm.DB, tokens ...string) (*testHub, func()) {
	t.Helper()
	return startHubWith(t, gdb, func(*hub.Config) {}, tokens...)
}

// startHubWith is startHubOn with the configuration changed by edit.
func startHubWith(t *testing.T, gdb *gorm.DB, edit func(*hub.Config), tokens ...string) (*testHub, func()) {
	t.Helper()
	store, err := blob.NewLocal(t.TempDir())
	require.NoError(t, err)
	cfg := fastConfig()
	cfg.Tokens, cfg.Blob = tokens, store
	edit(&cfg)
	th := &testHub{rec: gsetest.NewRecorder(), blob: store, logs: &logBuffer{}}
	log := slog.New(slog.NewTextHandler(th.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := hub.New(cfg, gdb, log, th.rec.Sink)
	require.NoError(t, err)
	require.NoError(t, h.Start(context.Background()))
	th.hub = h
	th.srv = httptest.NewServer(h.Handler())
	var stopped bool
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		th.srv.CloseClientConnections()
		th.srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, h.Shutdown(ctx))
	}
	t.Cleanup(stop)
	return th, stop
}

// raw is a hand-written agent connection: what an impostor can send.
type raw struct {
	conn    *wire.Conn
	status  int // HTTP status of a refused upgrade
	welcome *wire.Welcome
	err     error
}

// tokenHeader and credHeader are the two ways into the hub.
func tokenHeader(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

func credHeader(agentID, secret string) http.Header {
	return http.Header{"Authorization": {"Bearer " + secret}, wire.HeaderAgentID: {agentID}}
}

// rawHello dials the hub with header, says hello as agentID at ip and
// waits for the welcome. The connection stays open until the test ends.
func rawHello(t *testing.T, th *testHub, header http.Header, agentID, ip string) raw {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	url := "ws" + strings.TrimPrefix(th.srv.URL, "http") + wire.Path
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: header})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		r := raw{err: err}
		if resp != nil {
			r.status = resp.StatusCode
		}
		return r
	}
	conn := wire.NewConn(ws)
	t.Cleanup(func() { _ = conn.CloseNow() })
	hello := &wire.Hello{AgentID: agentID, IP: ip, Hostname: "impostor", OS: "linux", Version: "x"}
	require.NoError(t, conn.Send(ctx, &wire.Message{Type: wire.TypeHello, Hello: hello}))
	m, err := conn.Recv(ctx)
	if err != nil {
		return raw{conn: conn, err: err}
	}
	return raw{conn: conn, welcome: m.Welcome}
}

// agentID and credentialOf read an agent's identity files in its data dir.
func agentID(t *testing.T, dataDir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "agent-id"))
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}

func credentialOf(t *testing.T, dataDir string) (string, os.FileMode) {
	t.Helper()
	path := filepath.Join(dataDir, "agent-credential")
	st, err := os.Stat(path)
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.TrimSpace(string(b)), st.Mode().Perm()
}

// runAgentErr runs an agent and returns a channel with Run's result.
func runAgentErr(t *testing.T, opts agent.Options) <-chan error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done, finished := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(finished)
		done <- agent.Run(ctx, opts, slog.New(slog.DiscardHandler))
	}()
	t.Cleanup(func() {
		cancel()
		<-finished
	})
	return done
}
