package hub_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/agent"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/gse/hub"
)

// gatedScript prints "before", waits for the gate file ($1), prints
// "after" and then creates $1.done.
const gatedScript = `echo before
while [ ! -e "$1" ]; do sleep 0.02; done
echo after
touch "$1.done"`

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestConnectionDropDeliversEverything: the connection drops mid-script and
// the script finishes while the agent cannot reach the hub; on reconnect the
// rest of the output and the result arrive, once and in order.
func TestConnectionDropDeliversEverything(t *testing.T) {
	th := startHub(t, nil)
	px := newProxy(t, th.srv.URL)
	opts := th.agentOptions(t, "127.0.0.31")
	opts.Server = px.URL()
	runAgent(t, opts)
	host := th.waitHost(t, "127.0.0.31")
	gate := filepath.Join(t.TempDir(), "gate")

	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "drop", Hosts: []gse.Host{host}, Language: gse.LangShell, Content: gatedScript, Params: gate}))
	th.rec.WaitOutput(t, "drop", host.ID, "before\n", wait)

	px.SetDown(true)
	px.Cut()
	require.NoError(t, writeFile(gate))
	require.Eventually(t, func() bool { return exists(gate + ".done") }, wait, 10*time.Millisecond)
	_, done := th.rec.Result("drop", host.ID)
	require.False(t, done, "the result cannot arrive while the agent is cut off")
	px.SetDown(false)

	res := th.rec.WaitResult(t, "drop", host.ID, wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	require.Equal(t, "before\nafter\n", th.rec.Output("drop", host.ID))
	require.Empty(t, th.rec.Violations())
	require.Eventually(t, func() bool { return spoolEmpty(opts.DataDir) }, wait, 10*time.Millisecond, "the agent keeps nothing once acknowledged")
}

// TestLateResultIgnored: the agent stays away past the offline window, so
// the hub fails the host; when it comes back with the real result, that
// result is ignored (logged) and the agent drops it.
func TestLateResultIgnored(t *testing.T) {
	th := startHub(t, func(c *hub.Config) { c.OfflineAfterMissed = 5 })
	px := newProxy(t, th.srv.URL)
	opts := th.agentOptions(t, "127.0.0.32")
	opts.Server = px.URL()
	runAgent(t, opts)
	host := th.waitHost(t, "127.0.0.32")
	gate := filepath.Join(t.TempDir(), "gate")

	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "late", Hosts: []gse.Host{host}, Language: gse.LangShell, Content: gatedScript, Params: gate}))
	th.rec.WaitOutput(t, "late", host.ID, "before\n", wait)
	px.SetDown(true)
	px.Cut()

	res := th.rec.WaitResult(t, "late", host.ID, wait)
	require.Equal(t, gse.HostStatusAgentError, res.Status)
	require.Contains(t, res.ErrorMsg, "offline")

	require.NoError(t, writeFile(gate))
	require.Eventually(t, func() bool { return exists(gate + ".done") }, wait, 10*time.Millisecond)
	px.SetDown(false)
	require.Eventually(t, func() bool { return spoolEmpty(opts.DataDir) }, wait, 10*time.Millisecond, "the agent drops the voided task")
	require.Contains(t, th.logs.String(), "ignore late result")
	final, _ := th.rec.Result("late", host.ID)
	require.Equal(t, gse.HostStatusAgentError, final.Status)
	require.Empty(t, th.rec.Violations())
}

func spoolEmpty(dataDir string) bool {
	ents, err := os.ReadDir(filepath.Join(dataDir, "tasks"))
	return err == nil && len(ents) == 0
}

func writeFile(path string) error { return os.WriteFile(path, nil, 0o644) }

// TestHubRestart: the hub goes away mid-script and a new hub (same database,
// same address, same engine sink) takes its place; the agent reconnects and
// delivers the rest of the output and the result to the new hub.
func TestHubRestart(t *testing.T) {
	rec := gsetest.NewRecorder()
	gdb := newSQLite(t)
	serve := func(ln net.Listener) *hub.Hub { return serveHub(t, fastConfig(), gdb, rec, ln) }
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	first := serve(ln)
	th := &testHub{hub: first}
	opts := agent.Options{Server: "http://" + addr, Token: testToken, IP: "127.0.0.33", DataDir: t.TempDir(),
		ReconnectMin: 20 * time.Millisecond, ReconnectMax: 100 * time.Millisecond}
	runAgent(t, opts)
	host := th.waitHost(t, "127.0.0.33")
	gate := filepath.Join(t.TempDir(), "gate")
	require.NoError(t, first.StartScript(t.Context(), gse.ScriptTask{TaskID: "restart-hub", Hosts: []gse.Host{host}, Language: gse.LangShell, Content: gatedScript, Params: gate}))
	rec.WaitOutput(t, "restart-hub", host.ID, "before\n", wait)

	require.NoError(t, first.Shutdown(t.Context()))
	require.NoError(t, ln.Close())
	require.NoError(t, writeFile(gate))
	require.Eventually(t, func() bool { return exists(gate + ".done") }, wait, 10*time.Millisecond)

	ln2, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	serve(ln2)
	res := rec.WaitResult(t, "restart-hub", host.ID, wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	require.Equal(t, "before\nafter\n", rec.Output("restart-hub", host.ID))
	require.Empty(t, rec.Violations())
	require.Eventually(t, func() bool { return spoolEmpty(opts.DataDir) }, wait, 10*time.Millisecond)
}

// TestRestartedHubWaitsForAgentsToReturn: after a hub restart an agent
// whose last_seen is old has not had time to reconnect yet; a task sent to
// it then (the engine re-sending what the restart lost) waits for it
// instead of failing as offline.
func TestRestartedHubWaitsForAgentsToReturn(t *testing.T) {
	rec := gsetest.NewRecorder()
	gdb := newSQLite(t)
	cfg := fastConfig()
	cfg.HeartbeatInterval = time.Second // offline after 30 s
	serve := func(ln net.Listener) *hub.Hub { return serveHub(t, cfg, gdb, rec, ln) }
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	first := serve(ln)
	opts := agent.Options{Server: "http://" + addr, Token: testToken, IP: "127.0.0.34", DataDir: t.TempDir(),
		ReconnectMin: 20 * time.Millisecond, ReconnectMax: 100 * time.Millisecond}
	stop := runAgent(t, opts)
	host := (&testHub{hub: first}).waitHost(t, "127.0.0.34")
	require.NoError(t, stop())
	require.NoError(t, first.Shutdown(t.Context()))
	require.NoError(t, ln.Close())
	require.NoError(t, gdb.Exec(`UPDATE host SET last_seen = ? WHERE id = ?`, time.Now().Add(-time.Hour), host.ID).Error)

	ln2, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	second := serve(ln2)
	require.NoError(t, second.StartScript(t.Context(), gse.ScriptTask{TaskID: "after-restart", Hosts: []gse.Host{host},
		Language: gse.LangShell, Content: "echo back"}))
	runAgent(t, opts)
	res := rec.WaitResult(t, "after-restart", host.ID, wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	require.Equal(t, "back\n", rec.Output("after-restart", host.ID))
}

// serveHub starts a hub on gdb delivering to rec and serves it on ln until
// the test ends; several calls on one database stand for a restarted hub.
func serveHub(t *testing.T, cfg hub.Config, gdb *gorm.DB, rec *gsetest.Recorder, ln net.Listener) *hub.Hub {
	t.Helper()
	h, err := hub.New(cfg, gdb, nil, rec.Sink)
	require.NoError(t, err)
	require.NoError(t, h.Start(context.Background()))
	srv := &http.Server{Handler: h.Handler()}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = h.Shutdown(context.Background())
		_ = srv.Close()
	})
	return h
}
