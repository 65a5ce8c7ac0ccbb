package executeimpl_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executeimpl"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/platform/testenv"
)

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer = testenv.Buffer

// executeTables are the tables of schema/*/0020_execute.sql and 0075.
var executeTables = []string{"task_instance", "step_instance", "step_instance_host", "step_instance_rolling_task",
	"gse_task", "gse_execute_obj_task", "operation_log", "task_instance_host", "callback_delivery"}

// dumpTables renders every row of the execute tables as text.
func dumpTables(t *testing.T, gdb *gorm.DB) string {
	t.Helper()
	var out strings.Builder
	for _, table := range executeTables {
		var rows []map[string]any
		require.NoError(t, gdb.Table(table).Find(&rows).Error)
		for _, r := range rows {
			for col, v := range r {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprintf(&out, "%s.%s=%v\n", table, col, v)
			}
		}
	}
	return out.String()
}

// testSensitiveParamSealed: a sensitive script parameter is stored sealed,
// reaches the host on the first run and on a retry, and appears in no row,
// response, log line or callback.
func testSensitiveParamSealed(t *testing.T, b executetest.Backend) {
	const secret = "s3cret-Param-Value"
	var mu sync.Mutex
	var callbacks []string
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		callbacks = append(callbacks, string(body))
	}))
	t.Cleanup(srv.Close)
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	env := executetest.NewEnv(t, executetest.WithBackend(b), executetest.WithLogger(logger), executetest.WithCallbackAllowPrivate())
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{"ok\n"}, ExitCode: boolExit(r.Host.ID == 2 && r.Attempt == 1)}
	}
	req := scriptReq(hosts...)
	req.ScriptParam, req.IsParamSensitive, req.CallbackURL = b64(secret), 1, srv.URL+"/cb"
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	require.NoError(t, operateStep(t, env, c, execute.StepOpRetryAll))
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)

	starts := env.Transport.Starts()
	require.Len(t, starts, 2)
	for _, s := range starts {
		require.Equal(t, secret, s.Script.Params, "the script still receives the parameter")
	}

	var detail string
	require.NoError(t, env.DB.Raw("SELECT script_detail FROM step_instance WHERE id = ?", c.StepInstanceID).Scan(&detail).Error)
	require.Contains(t, detail, `"sealed_param":"v1:`)
	var sealed struct {
		SealedParam string `json:"sealed_param"`
	}
	require.NoError(t, json.Unmarshal([]byte(detail), &sealed))
	plain, err := env.Crypto.Unseal(sealed.SealedParam)
	require.NoError(t, err)
	require.Equal(t, secret, plain)

	var responses []any
	ref := execute.StepRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID, StepInstanceID: c.StepInstanceID}
	st, err := env.Engine.GetJobInstanceStatus(ctx, execute.GetJobInstanceStatusRequest{
		JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID}, ReturnIPResult: true})
	require.NoError(t, err)
	d, err := env.Engine.GetStepInstanceDetail(ctx, ref)
	require.NoError(t, err)
	require.Equal(t, "******", d.ScriptInfo.ScriptParam)
	groups, err := env.Engine.GetStepInstanceStatus(ctx, execute.GetStepInstanceStatusRequest{StepRef: ref})
	require.NoError(t, err)
	hl, err := env.Engine.GetHostLog(ctx, execute.GetHostLogRequest{StepRef: ref, HostID: 1})
	require.NoError(t, err)
	responses = append(responses, st, d, groups, hl)

	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(callbacks) == 2 }, 10*time.Second, 10*time.Millisecond,
		"a callback when the job failed and one when the retry succeeded")
	mu.Lock()
	seen := append([]string{dumpTables(t, env.DB), logs.String()}, callbacks...)
	mu.Unlock()
	for _, r := range responses {
		j, err := json.Marshal(r)
		require.NoError(t, err)
		seen = append(seen, string(j))
	}
	require.Contains(t, seen[1], "job created", "the engine logged through the captured logger")
	for i, s := range seen {
		require.NotContains(t, s, secret, "text %d", i)
		require.NotContains(t, s, b64(secret), "text %d", i)
	}
}

func TestNewNeedsCrypto(t *testing.T) {
	env := executetest.NewEnv(t)
	_, err := executeimpl.New(executeimpl.Deps{DB: env.DB, Bus: env.Bus, Transport: env.Transport, Logs: env.Logs, Manage: env.Manage})
	require.ErrorContains(t, err, "Crypto")
}
