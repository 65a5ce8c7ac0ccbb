package execute_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/httpx"
)

// TestLogLookupStream mounts logsvr's web handlers with LogLookup over the
// bus client, as the gateway does when execute runs elsewhere: a live host's
// output streams until the host ends, and lookups of unknown steps and hosts
// are 404s.
func TestLogLookupStream(t *testing.T) {
	ctx := context.Background()
	env := executetest.NewEnv(t)
	executetest.AddHosts(t, env.DB, 1, 2)
	require.NoError(t, execute.Serve(env.Bus, env.Engine))
	client := execute.NewClient(env.PeerBus(t))

	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(slog.New(slog.DiscardHandler))
	g := e.Group("/api/web", func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			// X-Test-User names a user without AllScopes; otherwise an admin.
			if u := c.Request().Header.Get("X-Test-User"); u != "" {
				httpx.SetActor(c, httpx.Actor{Username: u})
			} else {
				httpx.SetActor(c, httpx.Actor{Username: "admin", AllScopes: true})
			}
			return next(c)
		}
	})
	h := &logsvr.Handlers{Svc: env.Logs, Lookup: execute.LogLookup(client), Poll: 20 * time.Millisecond}
	h.Register(g)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)

	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{"working\n"}, Hold: true, Tail: []string{"done\n"}}
	}
	c, err := env.Engine.FastExecuteScript(ctx, execute.FastExecuteScriptRequest{ScopeRef: execute.ScopeRef{ScopeType: "biz", ScopeID: "1"},
		Caller: execute.Caller{Username: "alice"}, ScriptContent: b64("echo"), ScriptLanguage: 1, AccountAlias: "root",
		TargetServer: &execute.Server{HostIDList: []int64{1, 2}}})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		st, err := client.LogTarget(ctx, execute.LogTargetRequest{StepInstanceID: c.StepInstanceID, Batch: logsvr.AnyBatch, HostID: 1})
		require.NoError(t, err)
		l, err := env.Logs.ReadScript(ctx, logsvr.HostKey{StepRef: st.Ref, HostID: 1}, 0, 0)
		require.NoError(t, err)
		return len(l.Content) > 0
	}, 30*time.Second, 20*time.Millisecond)

	resp, err := http.Get(fmt.Sprintf("%s/api/web/logs/stream?step_instance_id=%d&host_id=1", srv.URL, c.StepInstanceID))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	env.Transport.Release()
	body, err := io.ReadAll(resp.Body) // the stream ends after the host's final result
	require.NoError(t, err)
	text := string(body)
	require.Contains(t, text, "event: log")
	require.Contains(t, text, "working")
	require.Contains(t, text, "done")
	require.Contains(t, text, fmt.Sprintf(`event: status`+"\n"+`data: {"status":%d}`, execute.StatusRunning))
	require.True(t, strings.HasSuffix(strings.TrimSpace(text), `data: {"offset":13}`), text)

	st, err := client.LogTarget(ctx, execute.LogTargetRequest{StepInstanceID: c.StepInstanceID, HostID: 1, Batch: logsvr.AnyBatch})
	require.NoError(t, err)
	require.True(t, st.Finished)
	for _, tc := range []struct {
		query string
		code  int
	}{
		{fmt.Sprintf("step_instance_id=%d&host_id=77", c.StepInstanceID), http.StatusNotFound},
		{fmt.Sprintf("step_instance_id=%d&host_id=1", c.StepInstanceID+100), http.StatusNotFound},
		{fmt.Sprintf("step_instance_id=%d&host_id=1&execute_count=5", c.StepInstanceID), http.StatusBadRequest},
	} {
		resp, err := http.Get(srv.URL + "/api/web/logs/stream?" + tc.query)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, tc.code, resp.StatusCode, tc.query)
	}
	// A user not granted business 1 learns nothing: every request about
	// its step is the same 403, with the scope to apply for, over the bus.
	for _, query := range []string{
		fmt.Sprintf("logs/stream?step_instance_id=%d&host_id=1", c.StepInstanceID),
		fmt.Sprintf("logs/stream?step_instance_id=%d&host_id=77", c.StepInstanceID),
		fmt.Sprintf("logs/stream?step_instance_id=%d&host_id=1&execute_count=5", c.StepInstanceID),
		fmt.Sprintf("logs/export?step_instance_id=%d", c.StepInstanceID),
	} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/web/"+query, nil)
		require.NoError(t, err)
		req.Header.Set("X-Test-User", "mallory")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusForbidden, resp.StatusCode, query)
		require.Contains(t, string(body), `"type":"biz","type_name":"Business","id":"1"`, query)
		require.NotContains(t, string(body), "done", query)
	}
	_, err = client.LogTarget(ctx, execute.LogTargetRequest{StepInstanceID: c.StepInstanceID + 100})
	require.ErrorIs(t, err, execute.ErrStepNotFound, "the typed error crosses the bus")
	require.Equal(t, gse.HostStatusSuccess, hostStatus(t, env, c, 1))
}

func hostStatus(t *testing.T, env *executetest.Env, c execute.JobCreated, host int64) int {
	t.Helper()
	st, err := env.Engine.GetJobInstanceStatus(context.Background(), execute.GetJobInstanceStatusRequest{JobRef: execute.JobRef{
		ScopeRef: execute.ScopeRef{ScopeType: "biz", ScopeID: "1"}, JobInstanceID: c.JobInstanceID}, ReturnIPResult: true})
	require.NoError(t, err)
	for _, r := range st.StepInstanceList[0].StepIPResultList {
		if r.HostID == host {
			return r.Status
		}
	}
	return -1
}
