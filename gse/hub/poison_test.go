package hub_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/gse/hub"
)

// TestPoisonResultSetAside is issue 7's frozen host at the hub: the store
// refuses one task's result (as MariaDB refused a tag cut inside a
// character). Through the SinkGuard the batch is offered a bounded number
// of times, set aside with the host failed and the reason named, and the
// host's next task is delivered.
func TestPoisonResultSetAside(t *testing.T) {
	rec := gsetest.NewRecorder()
	rec.Refuse(func(events []gse.Event) error {
		for _, ev := range events {
			if ev.Result != nil && strings.HasPrefix(ev.Result.Tag, "poison") {
				return gse.ErrEventsRefused.Withf("store events: Error 1366 (HY000): Incorrect string value for column 'tag'")
			}
		}
		return nil
	})
	guard := gse.NewGuard(rec.Sink, gse.GuardConfig{MaxAttempts: 3, FirstWait: time.Millisecond, MaxWait: 5 * time.Millisecond}, nil)
	h, err := hub.New(fastConfig(), newSQLite(t), slog.New(slog.DiscardHandler), guard.Sink)
	require.NoError(t, err)
	require.NoError(t, h.Start(context.Background()))
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, h.Shutdown(ctx))
	})
	th := &testHub{hub: h, srv: srv, rec: rec}
	runAgent(t, th.agentOptions(t, "10.0.7.1"))
	host := th.waitHost(t, "10.0.7.1")

	require.NoError(t, h.StartScript(t.Context(), gse.ScriptTask{TaskID: "poison", Hosts: []gse.Host{host}, Language: gse.LangShell,
		Content: "echo before; echo 'job_success:[poison]'"}))
	res := rec.WaitResult(t, "poison", host.ID, 30*time.Second)
	require.Equal(t, gse.HostStatusFailed, res.Status)
	require.Contains(t, res.ErrorMsg, "set it aside")
	require.Contains(t, res.ErrorMsg, "Incorrect string value")
	require.Equal(t, int64(1), guard.SetAside())

	require.NoError(t, h.StartScript(t.Context(), gse.ScriptTask{TaskID: "next", Hosts: []gse.Host{host}, Language: gse.LangShell,
		Content: "echo next; echo 'job_success:[fine]'"}))
	res = rec.WaitResult(t, "next", host.ID, 30*time.Second)
	require.Equal(t, gse.HostStatusSuccess, res.Status)
	require.Equal(t, "fine", res.Tag)
	rec.WaitOutput(t, "next", host.ID, "next\njob_success:[fine]\n", 10*time.Second)
	require.Empty(t, rec.Violations())
}
