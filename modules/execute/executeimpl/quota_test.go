package executeimpl_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executeimpl"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/errs"
)

// quotaCases are the running-job quota's cases, run on every backend.
func quotaCases() []struct {
	name string
	fn   func(*testing.T, executetest.Backend)
} {
	return []struct {
		name string
		fn   func(*testing.T, executetest.Backend)
	}{
		{"Off", testQuotaOff},
		{"System", testQuotaSystem},
		{"App", testQuotaApp},
		{"Scope", testQuotaScope},
		{"EveryCreatePath", testQuotaEveryCreatePath},
		{"FinishedJobFreesSlot", testQuotaFinishedJobFreesSlot},
		{"ConcurrentAtTheEdge", testQuotaConcurrentAtTheEdge},
	}
}

func TestQuotaSQLite(t *testing.T) {
	for _, c := range quotaCases() {
		t.Run(c.name, func(t *testing.T) { c.fn(t, executetest.SQLiteMemory()) })
	}
}

func TestQuotaMySQL(t *testing.T) {
	b := executetest.MySQLRabbitMQ(t)
	for _, c := range quotaCases() {
		t.Run(c.name, func(t *testing.T) { c.fn(t, b) })
	}
}

// quotaEnv is an Env with the quota q whose hosts 1–4 (business 1) and 5–6
// (business 2, scope biz:2 with its own root account) hold their jobs
// running until released.
func quotaEnv(t *testing.T, b executetest.Backend, q config.RunningJobQuota) *executetest.Env {
	t.Helper()
	env := executetest.NewEnv(t, executetest.WithBackend(b), executetest.WithConfig(func(c *config.Config) {
		c.Execute.RunningJobQuota = q
	}))
	executetest.AddHosts(t, env.DB, 1, 6)
	require.NoError(t, env.DB.Exec(`UPDATE host SET biz_id = 2 WHERE id IN (5, 6)`).Error)
	env.Manage.AddScope(manage.Scope{Type: "biz", ID: "2", BizID: 2, Name: "Second"})
	env.Manage.AddAccount(manage.Account{ID: 2, BizID: 2, Account: "root", Alias: "root", Category: manage.AccountCategorySystem,
		Type: manage.AccountTypeLinux, OS: "Linux"})
	env.Transport.Behave = func(executetest.Run) executetest.Outcome {
		return executetest.Outcome{Output: []string{"working\n"}, Hold: true}
	}
	return env
}

// quotaReq is a script for host in scope biz:<biz>, called by app.
func quotaReq(biz string, app string, host int64) execute.FastExecuteScriptRequest {
	r := scriptReq(host)
	r.ScopeRef = execute.ScopeRef{ScopeType: "biz", ScopeID: biz}
	r.Caller.AppCode = app
	return r
}

// rows counts what a job creation writes, to show a refusal wrote nothing.
func rows(t *testing.T, env *executetest.Env) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"task_instance", "step_instance", "step_instance_host", "task_instance_host", "operation_log"} {
		var n int64
		require.NoError(t, env.DB.Table(table).Count(&n).Error, table)
		out[table] = n
	}
	return out
}

// requireRefused checks a refusal: its sentinel, HTTP 429, a message naming
// the limit's key, the running count and the limit, and nothing written
// or started.
func requireRefused(t *testing.T, env *executetest.Env, before map[string]int64, starts int, err, want error, key, count string) {
	t.Helper()
	require.ErrorIs(t, err, want)
	e := errs.From(err)
	require.Equal(t, http.StatusTooManyRequests, e.Status)
	require.Contains(t, e.Message, key)
	require.Contains(t, e.Message, count)
	require.Equal(t, before, rows(t, env), "a refused job writes nothing")
	require.Len(t, env.Transport.Starts(), starts, "a refused job starts nothing")
}

// unfinishedJobs counts the jobs whose status is not final.
func unfinishedJobs(t *testing.T, env *executetest.Env) int64 {
	t.Helper()
	var final []int
	for s := execute.StatusBlank; s.Valid(); s++ {
		if s.Finished() {
			final = append(final, int(s))
		}
	}
	var n int64
	require.NoError(t, env.DB.Table("task_instance").Where("status NOT IN ?", final).Count(&n).Error)
	return n
}

// mustCreate creates a one-host job and waits until its host runs (so the
// transport's starts are settled and a release reaches it).
func mustCreate(t *testing.T, env *executetest.Env, req execute.FastExecuteScriptRequest) execute.JobCreated {
	t.Helper()
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		st := stepStatus(t, env, c, func(r *execute.GetStepInstanceStatusRequest) { r.ScopeRef = req.ScopeRef })
		return len(st.StepResultGroupList) == 1 && st.StepResultGroupList[0].ResultType == gse.HostStatusRunning
	}, 30*time.Second, 25*time.Millisecond)
	return c
}

// testQuotaOff: with the quota off (the default) a capacity of 1 limits
// nothing.
func testQuotaOff(t *testing.T, b executetest.Backend) {
	env := quotaEnv(t, b, config.RunningJobQuota{Enabled: false, Capacity: 1, ScopeLimit: 1, AppLimit: 1})
	for i := int64(1); i <= 3; i++ {
		mustCreate(t, env, quotaReq("1", "app", i))
	}
	require.Equal(t, int64(3), rows(t, env)["task_instance"])
}

// testQuotaSystem: capacity 2 refuses a third job whatever its scope and
// app, with 1244032's sentinel.
func testQuotaSystem(t *testing.T, b executetest.Backend) {
	env := quotaEnv(t, b, config.RunningJobQuota{Enabled: true, Capacity: 2, ScopeLimit: 2, AppLimit: 2})
	mustCreate(t, env, quotaReq("1", "a", 1))
	mustCreate(t, env, quotaReq("2", "b", 5))
	before := rows(t, env)
	for _, req := range []execute.FastExecuteScriptRequest{quotaReq("1", "c", 2), quotaReq("2", "", 6)} {
		_, err := env.Engine.FastExecuteScript(ctx, req)
		requireRefused(t, env, before, 2, err, execute.ErrSystemQuota, "execute.running_job_quota.capacity", "2 running, the limit is 2")
	}
}

// testQuotaApp: app_limit 1 refuses app a's second job (1244033) while
// app b and a job without an app code (the web UI) still run.
func testQuotaApp(t *testing.T, b executetest.Backend) {
	env := quotaEnv(t, b, config.RunningJobQuota{Enabled: true, Capacity: 10, ScopeLimit: 10, AppLimit: 1})
	mustCreate(t, env, quotaReq("1", "a", 1))
	before := rows(t, env)
	_, err := env.Engine.FastExecuteScript(ctx, quotaReq("2", "a", 5))
	requireRefused(t, env, before, 1, err, execute.ErrAppQuota, "execute.running_job_quota.app_limit", `app "a": 1 running, the limit is 1`)
	mustCreate(t, env, quotaReq("1", "b", 2))
	mustCreate(t, env, quotaReq("1", "", 3))
	mustCreate(t, env, quotaReq("1", "", 4))
}

// testQuotaScope: scope_limit 1 refuses business 1's second job (1244034)
// from any app, while business 2 still runs one.
func testQuotaScope(t *testing.T, b executetest.Backend) {
	env := quotaEnv(t, b, config.RunningJobQuota{Enabled: true, Capacity: 10, ScopeLimit: 1, AppLimit: 10})
	mustCreate(t, env, quotaReq("1", "a", 1))
	before := rows(t, env)
	for _, app := range []string{"a", "b", ""} {
		_, err := env.Engine.FastExecuteScript(ctx, quotaReq("1", app, 2))
		requireRefused(t, env, before, 1, err, execute.ErrScopeQuota, "execute.running_job_quota.scope_limit", "scope biz:1: 1 running, the limit is 1")
	}
	mustCreate(t, env, quotaReq("2", "a", 5))
}

// testQuotaEveryCreatePath: fast_transfer_file and push_config_file are
// refused too, and push_config_file's staged files are removed.
func testQuotaEveryCreatePath(t *testing.T, b executetest.Backend) {
	env := quotaEnv(t, b, config.RunningJobQuota{Enabled: true, Capacity: 1})
	mustCreate(t, env, quotaReq("1", "a", 1))
	before := rows(t, env)
	_, err := env.Engine.FastTransferFile(ctx, execute.FastTransferFileRequest{ScopeRef: scope, AccountAlias: "root",
		FileTargetPath: "/data", FileSourceList: []execute.FileSourceSpec{{FileList: []string{"/etc/hosts"},
			Account: &execute.AccountRef{Alias: "root"}, Server: &execute.Server{HostIDList: []int64{2}}}},
		TargetServer: &execute.Server{HostIDList: []int64{3}}})
	requireRefused(t, env, before, 1, err, execute.ErrSystemQuota, "execute.running_job_quota.capacity", "1 running, the limit is 1")
	_, err = env.Engine.PushConfigFile(ctx, execute.PushConfigFileRequest{ScopeRef: scope, AccountAlias: "root",
		FileTargetPath: "/tmp/cfg", FileList: []execute.ConfigFile{{FileName: "a.conf", Content: b64("k=v\n")}, {FileName: "b.conf", Content: b64("x\n")}},
		TargetServer: &execute.Server{HostIDList: []int64{3}}})
	requireRefused(t, env, before, 1, err, execute.ErrSystemQuota, "execute.running_job_quota.capacity", "1 running, the limit is 1")
	staged, err := env.Blob.List(ctx, "execute/config/")
	require.NoError(t, err)
	require.Empty(t, staged, "a refused push_config_file leaves no staged file")
}

// testQuotaFinishedJobFreesSlot: at capacity 1, a job that ends (success,
// or terminated) frees its slot for the next.
func testQuotaFinishedJobFreesSlot(t *testing.T, b executetest.Backend) {
	env := quotaEnv(t, b, config.RunningJobQuota{Enabled: true, Capacity: 1})
	c := mustCreate(t, env, quotaReq("1", "a", 1))
	_, err := env.Engine.FastExecuteScript(ctx, quotaReq("1", "a", 2))
	require.ErrorIs(t, err, execute.ErrSystemQuota)
	env.Transport.Release()
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)

	c = mustCreate(t, env, quotaReq("1", "a", 2))
	_, err = env.Engine.FastExecuteScript(ctx, quotaReq("1", "a", 3))
	require.ErrorIs(t, err, execute.ErrSystemQuota)
	_, err = env.Engine.OperateJobInstance(ctx, execute.OperateJobInstanceRequest{
		JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID}, OperationCode: execute.JobOpTerminate})
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusStopSuccess)
	mustCreate(t, env, quotaReq("1", "a", 3))
}

// testQuotaConcurrentAtTheEdge: at capacity-1, creates racing on two
// engines (two execute processes) admit exactly one job, round after round.
func testQuotaConcurrentAtTheEdge(t *testing.T, b executetest.Backend) {
	const capacity, racers, rounds = 3, 6, 3
	env := quotaEnv(t, b, config.RunningJobQuota{Enabled: true, Capacity: capacity, ScopeLimit: 100, AppLimit: 100})
	engines := []*executeimpl.Engine{env.Engine, env.NewEngine(t)}
	for i := 0; i < capacity-1; i++ {
		mustCreate(t, env, quotaReq("1", "a", 1))
	}
	for round := 0; round < rounds; round++ {
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			created []execute.JobCreated
			refused int
			other   []error
		)
		start := make(chan struct{})
		for i := 0; i < racers; i++ {
			wg.Add(1)
			go func(eng *executeimpl.Engine) {
				defer wg.Done()
				<-start
				c, err := eng.FastExecuteScript(ctx, quotaReq("1", "a", 2))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					created = append(created, c)
				case errors.Is(err, execute.ErrSystemQuota):
					refused++
				default:
					other = append(other, err)
				}
			}(engines[i%len(engines)])
		}
		close(start)
		wg.Wait()
		require.Empty(t, other)
		require.Len(t, created, 1, "round %d: exactly one racer fills the last slot", round)
		require.Equal(t, racers-1, refused)
		require.Equal(t, int64(capacity), unfinishedJobs(t, env))
		if env.DB.Dialector.Name() == "mysql" {
			var free int
			require.NoError(t, env.DB.Raw("SELECT IS_FREE_LOCK(CONCAT('bkjob.quota.', SHA1(DATABASE())))").Row().Scan(&free))
			require.Equal(t, 1, free, "every create released the quota lock")
		}
		// Free the slot for the next round: terminate the winner's job.
		waitHostsRunning(t, env, created[0], 1)
		_, err := env.Engine.OperateJobInstance(ctx, execute.OperateJobInstanceRequest{
			JobRef: execute.JobRef{ScopeRef: scope, JobInstanceID: created[0].JobInstanceID}, OperationCode: execute.JobOpTerminate})
		require.NoError(t, err)
		waitJob(t, env, created[0].JobInstanceID, execute.StatusStopSuccess)
	}
}
