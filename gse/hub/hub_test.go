package hub_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/agent"
	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/gse/wire"
)

const wait = 30 * time.Second

func TestTokenRefused(t *testing.T) {
	th := startHub(t, nil)
	opts := th.agentOptions(t, "127.0.0.21")
	opts.Token = "not-the-token"
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err := agent.Run(ctx, opts, slog.New(slog.DiscardHandler))
	require.True(t, errors.Is(err, agent.ErrUnauthorized), "got %v", err)
	require.Contains(t, th.logs.String(), "agent token refused")
	rows, err := th.hub.Registry().List(ctx, 0)
	require.NoError(t, err)
	require.Empty(t, rows, "a refused agent must not be registered")
}

func TestTokenBusiness(t *testing.T) {
	tests := []struct {
		name   string
		tokens []string
		use    string
		biz    int64
	}{
		{"plain token lands in biz 1", []string{"plain"}, "plain", hub.DefaultBiz},
		{"bound token lands in its biz", []string{"plain", "7:bound"}, "bound", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := startHub(t, func(c *hub.Config) { c.Tokens = tt.tokens })
			opts := th.agentOptions(t, "127.0.0.22")
			opts.Token, opts.CloudID = tt.use, 5
			runAgent(t, opts)
			var rec hub.HostRecord
			require.Eventually(t, func() bool {
				var ok bool
				rec, ok, _ = th.hub.Registry().ByAddress(context.Background(), 5, "127.0.0.22")
				return ok
			}, wait, 10*time.Millisecond)
			require.Equal(t, tt.biz, rec.BizID)
		})
	}
}

func TestBadTokenConfig(t *testing.T) {
	_, err := hub.New(hub.Config{Tokens: []string{"0:x"}}, newSQLite(t), nil, func(context.Context, []gse.Event) error { return nil })
	require.Error(t, err)
	_, err = hub.New(hub.Config{Tokens: []string{"12:"}}, newSQLite(t), nil, func(context.Context, []gse.Event) error { return nil })
	require.Error(t, err)
}

func TestHostWithoutAgent(t *testing.T) {
	th := startHub(t, nil)
	id := "no-agent"
	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: id, Hosts: []gse.Host{{ID: 4242, IP: "10.9.9.9"}}, Language: gse.LangShell, Content: "true"}))
	res := th.rec.WaitResult(t, id, 4242, wait)
	require.Equal(t, gse.HostStatusAgentNotInstalled, res.Status)
	st, err := th.hub.AgentStatus(t.Context(), []gse.Host{{ID: 4242}})
	require.NoError(t, err)
	require.False(t, st[0].Alive)
}

func TestOfflineHostFailsFast(t *testing.T) {
	th := startHub(t, func(c *hub.Config) { c.OfflineAfterMissed = 3 })
	stop := runAgent(t, th.agentOptions(t, "127.0.0.23"))
	host := th.waitHost(t, "127.0.0.23")
	require.NoError(t, stop())
	require.Eventually(t, func() bool {
		st, err := th.hub.AgentStatus(context.Background(), []gse.Host{host})
		return err == nil && !st[0].Alive
	}, wait, 10*time.Millisecond)
	rec, _, err := th.hub.Registry().Get(t.Context(), host.ID)
	require.NoError(t, err)
	require.False(t, rec.Alive, "the registry marks the host offline")

	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "offline", Hosts: []gse.Host{host}, Language: gse.LangShell, Content: "true"}))
	res := th.rec.WaitResult(t, "offline", host.ID, wait)
	require.Equal(t, gse.HostStatusAgentError, res.Status)
	require.Contains(t, res.ErrorMsg, "offline")
}

func TestSinkRefusalIsRetriedInOrder(t *testing.T) {
	th := startHub(t, nil)
	runAgent(t, th.agentOptions(t, "127.0.0.24"))
	host := th.waitHost(t, "127.0.0.24")
	var refused atomic.Int32
	th.rec.Refuse(func([]gse.Event) error {
		if refused.Add(1) <= 3 {
			return errors.New("engine busy")
		}
		return nil
	})
	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "retry", Hosts: []gse.Host{host}, Language: gse.LangShell,
		Content: "for i in 1 2 3 4 5; do echo line $i; done"}))
	res := th.rec.WaitResult(t, "retry", host.ID, wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	require.Equal(t, "line 1\nline 2\nline 3\nline 4\nline 5\n", th.rec.Output("retry", host.ID))
	require.Greater(t, refused.Load(), int32(3))
	require.Empty(t, th.rec.Violations())
}

func TestQueuedBeyondMaxTasks(t *testing.T) {
	th := startHub(t, nil)
	opts := th.agentOptions(t, "127.0.0.25")
	opts.MaxTasks = 1
	runAgent(t, opts)
	host := th.waitHost(t, "127.0.0.25")
	gate := t.TempDir() + "/gate"
	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "first", Hosts: []gse.Host{host}, Language: gse.LangShell,
		Content: `echo running; while [ ! -e "$1" ]; do sleep 0.02; done`, Params: gate}))
	th.rec.WaitOutput(t, "first", host.ID, "running", wait)
	require.NoError(t, th.hub.StartScript(t.Context(), gse.ScriptTask{TaskID: "second", Hosts: []gse.Host{host}, Language: gse.LangShell, Content: "echo second"}))
	// The second task waits for the only slot: stopping it while queued ends it without running.
	require.NoError(t, th.hub.Stop(t.Context(), "second", []int64{host.ID}))
	res := th.rec.WaitResult(t, "second", host.ID, wait)
	require.Equal(t, gse.HostStatusScriptTerminate, res.Status)
	require.Empty(t, th.rec.Output("second", host.ID))
	_, done := th.rec.Result("first", host.ID)
	require.False(t, done)
	require.NoError(t, writeFile(gate))
	require.Equal(t, gse.HostStatusSuccess, th.rec.WaitResult(t, "first", host.ID, wait).Status)
}

func TestInvalidFileTaskRefused(t *testing.T) {
	th := startHub(t, nil)
	src := gse.Host{ID: 1, IP: "127.0.0.1"}
	err := th.hub.StartFile(t.Context(), gse.FileTask{TaskID: "bad", Targets: []gse.Host{src}, TargetDir: "/tmp/../etc",
		Sources: []gse.FileSource{{Host: &src, Path: "/etc/hosts"}}, Mode: gse.TransferForce})
	require.True(t, errors.Is(err, wire.ErrBadPath), "got %v", err)
	require.Empty(t, th.rec.Events("bad"))
}
