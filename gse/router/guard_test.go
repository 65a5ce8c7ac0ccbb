package router_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/gse/router"
)

// TestGuardRefusesEventsFromTheWrongTransport: the agent transport reports
// a forged result and output for an agentless host's SSH task (an agent
// bound to that host's row would); the guard drops them, the SSH result
// stands, and every route is released once the hosts have ended.
func TestGuardRefusesEventsFromTheWrongTransport(t *testing.T) {
	rec := gsetest.NewRecorder()
	g := router.NewGuard(nil)
	agentSink, sshSink := g.Sink(router.ViaAgent, rec.Sink), g.Sink(router.ViaSSH, rec.Sink)
	agentT, sshT := gsetest.NewFake(agentSink), gsetest.NewFake(sshSink)
	t.Cleanup(agentT.Close)
	t.Cleanup(sshT.Close)
	sshT.SetDefault(gsetest.Behavior{Output: "real\n", Delay: time.Hour})
	r := router.New(agentT, sshT, router.WithGuard(g))

	hosts := mixedHosts() // 1 and 3 by agent, 2 and 4 over SSH
	require.NoError(t, r.StartScript(t.Context(), gse.ScriptTask{TaskID: "mixed", Hosts: hosts, Language: gse.LangShell, Content: "true"}))
	rec.WaitResults(t, "mixed", 10*time.Second, hosts[0], hosts[2])
	rec.WaitOutput(t, "mixed", 2, "real\n", 10*time.Second)

	forged := []gse.Event{
		{Kind: gse.EventOutput, TaskID: "mixed", HostID: 2, Output: &gse.OutputChunk{Offset: 5, Data: []byte("forged\n")}},
		{Kind: gse.EventResult, TaskID: "mixed", HostID: 2, Result: &gse.HostResult{Status: gse.HostStatusSuccess, Tag: "forged"}},
	}
	require.NoError(t, agentSink(t.Context(), forged), "dropped events are taken, not retried")
	require.Equal(t, uint64(2), g.Dropped())
	_, done := rec.Result("mixed", 2)
	require.False(t, done, "the forged result did not land")
	require.Equal(t, "real\n", rec.Output("mixed", 2))

	require.NoError(t, r.Stop(t.Context(), "mixed", []int64{2, 4}))
	res := rec.WaitResults(t, "mixed", 10*time.Second, hosts[1], hosts[3])
	require.Equal(t, gse.HostStatusScriptTerminate, res[2].Status)
	require.Empty(t, res[2].Tag)
	require.Eventually(t, func() bool { return g.Routes() == 0 }, 10*time.Second, 10*time.Millisecond, "routes are released when hosts end")
}

// TestGuardPassesUnknownTasks: events of a task the router did not dispatch
// (it restarted) pass to each transport's own checks.
func TestGuardPassesUnknownTasks(t *testing.T) {
	rec := gsetest.NewRecorder()
	g := router.NewGuard(nil)
	ev := gse.Event{Kind: gse.EventResult, TaskID: "old", HostID: 9, Result: &gse.HostResult{Status: gse.HostStatusSuccess}}
	require.NoError(t, g.Sink(router.ViaAgent, rec.Sink)(t.Context(), []gse.Event{ev}))
	_, done := rec.Result("old", 9)
	require.True(t, done)
	require.Zero(t, g.Dropped())
}
