package executeimpl_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

// TestDefaultTaskName: a job without a task_name is named bk-job's way
// ("API Quick execution script<ms>") when the API launched it; launched
// from the web UI it is not an API job, so "API " is dropped. A given name
// is kept either way.
func TestDefaultTaskName(t *testing.T) {
	env := executetest.NewEnv(t)
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	api := execute.Caller{Username: "admin", StartupMode: execute.StartupAPI}
	web := execute.Caller{Username: "admin", StartupMode: execute.StartupWeb}
	script := func(c execute.Caller, name string) (execute.JobCreated, error) {
		r := scriptReq(hosts[1])
		r.Caller, r.TaskName = c, name
		return env.Engine.FastExecuteScript(ctx, r)
	}
	file := func(c execute.Caller, name string) (execute.JobCreated, error) {
		return env.Engine.FastTransferFile(ctx, execute.FastTransferFileRequest{ScopeRef: scope, Caller: c, TaskName: name,
			AccountAlias: "root", FileTargetPath: "/data", FileSourceList: []execute.FileSourceSpec{{FileList: []string{"/etc/hosts"},
				Account: &execute.AccountRef{Alias: "root"}, Server: &execute.Server{HostIDList: hosts[:1]}}},
			TargetServer: &execute.Server{HostIDList: hosts[1:]}})
	}
	push := func(c execute.Caller, name string) (execute.JobCreated, error) {
		return env.Engine.PushConfigFile(ctx, execute.PushConfigFileRequest{ScopeRef: scope, Caller: c, TaskName: name,
			AccountAlias: "root", FileTargetPath: "/tmp/cfg", FileList: []execute.ConfigFile{{FileName: "a.conf", Content: b64("x")}},
			TargetServer: &execute.Server{HostIDList: hosts[1:]}})
	}
	for _, tc := range []struct {
		kind   string
		launch func(execute.Caller, string) (execute.JobCreated, error)
		prefix string
	}{
		{"script", script, "Quick execution script"},
		{"file", file, "Quick Distribution File"},
		{"push config", push, "GSE PUSH FILE"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			c, err := tc.launch(api, "")
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(c.JobInstanceName, "API "+tc.prefix), c.JobInstanceName)

			c, err = tc.launch(web, "")
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(c.JobInstanceName, tc.prefix), c.JobInstanceName)
			require.NotContains(t, c.JobInstanceName, "API")
			waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)

			c, err = tc.launch(web, "API nightly")
			require.NoError(t, err)
			require.Equal(t, "API nightly", c.JobInstanceName)
		})
	}
}
