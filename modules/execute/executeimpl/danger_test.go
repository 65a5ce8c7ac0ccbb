package executeimpl_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/modules/manage"
)

// TestDangerousScriptCheck: fast_execute_script asks manage about the
// script it is about to run, in clear, with who runs it; manage's refusal
// (an intercept rule) comes back as it is and no job is created, nor is
// anything sent to a host; a script manage lets through runs.
func TestDangerousScriptCheck(t *testing.T) {
	env := executetest.NewEnv(t)
	hosts := executetest.AddHosts(t, env.DB, 1, 1)
	env.Manage.SetScriptCheck(func(req manage.ScriptRunCheck) (manage.ScriptRunVerdict, error) {
		if req.Content == "rm -rf /data" {
			return manage.ScriptRunVerdict{}, manage.ErrDangerousScript.Withf("line 1 matches dangerous rule 1 %q", "wipe")
		}
		return manage.ScriptRunVerdict{Warnings: []manage.ScriptCheckItem{{Line: 1, Level: 1}}}, nil
	})

	req := scriptReq(hosts...)
	req.ScriptContent = b64("rm -rf /data")
	_, err := env.Engine.FastExecuteScript(ctx, req)
	require.ErrorIs(t, err, manage.ErrDangerousScript)
	require.Contains(t, err.Error(), `"wipe"`)
	list, err := env.Engine.GetJobInstanceList(ctx, execute.GetJobInstanceListRequest{ScopeRef: scope, CreateTimeStart: 1, CreateTimeEnd: 1 << 50})
	require.NoError(t, err)
	require.Zero(t, list.Total, "a refused script creates no job")
	require.Empty(t, env.Transport.Starts(), "nor reaches a host")

	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err, "a scan warning lets the script run")
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)

	checks := env.Manage.ScriptChecks()
	require.Len(t, checks, 2)
	require.Equal(t, manage.ScriptRunCheck{BizID: 1, Operator: "admin", AppCode: "test", ScriptLanguage: 1, Content: "rm -rf /data"}, checks[0])
	require.Equal(t, "echo hello", checks[1].Content)
}
