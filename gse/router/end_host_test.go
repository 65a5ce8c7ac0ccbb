package router_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/gse/router"
)

// TestSetAsideOutputEndsTheHost: the guards as the server wires them (each
// transport's sink → router guard → SinkGuard → store). The store refuses a
// host's output for good; the SinkGuard sets it aside and fails the host,
// and the host's end reaches the router guard (its route goes) and the
// transport the task runs on (it is stopped there, and only there).
func TestSetAsideOutputEndsTheHost(t *testing.T) {
	rec := gsetest.NewRecorder()
	rec.Refuse(func(events []gse.Event) error {
		for _, ev := range events {
			if ev.Kind == gse.EventOutput {
				return gse.ErrEventsRefused
			}
		}
		return nil
	})
	var r *router.Router
	sg := gse.NewGuard(rec.Sink, gse.GuardConfig{MaxAttempts: 1, FirstWait: time.Millisecond, Ended: func(ctx context.Context, taskID string, hostID int64) error {
		return r.EndHost(ctx, taskID, hostID)
	}}, nil)
	g := router.NewGuard(nil)
	agentT, sshT := gsetest.NewFake(g.Sink(router.ViaAgent, sg.Sink)), gsetest.NewFake(g.Sink(router.ViaSSH, sg.Sink))
	t.Cleanup(agentT.Close)
	t.Cleanup(sshT.Close)
	agentT.SetDefault(gsetest.Behavior{Output: "too much\n", Delay: time.Hour})
	sshT.SetDefault(gsetest.Behavior{Delay: time.Hour})
	r = router.New(agentT, sshT, router.WithGuard(g))

	hosts := mixedHosts()[:2] // 1 by agent, 2 over SSH
	require.NoError(t, r.StartScript(t.Context(), gse.ScriptTask{TaskID: "aside", Hosts: hosts, Language: gse.LangShell, Content: "true"}))
	res := rec.WaitResult(t, "aside", 1, 10*time.Second)
	require.Equal(t, gse.HostStatusFailed, res.Status)
	require.Contains(t, res.ErrorMsg, "set it aside")
	require.Equal(t, int64(1), sg.SetAside())

	require.Eventually(t, func() bool { return g.Routes() == 1 && len(agentT.Stops()) == 1 }, 10*time.Second, 10*time.Millisecond,
		"the failed host's route goes and its task is stopped")
	require.Equal(t, []string{"aside"}, agentT.Stops())
	require.Empty(t, sshT.Stops(), "the SSH host carries on")
	_, done := rec.Result("aside", 2)
	require.False(t, done)
}
