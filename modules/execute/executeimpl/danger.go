package executeimpl

import (
	"context"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/manage"
)

// checkDangerous has manage check a script about to run against the
// enabled dangerous rules (bk-job checks every script step, bkjob.md §3.1
// step 3). manage records every hit; an intercept rule's hit comes back as
// manage.ErrDangerousScript (1244019) naming the rule and the job is not
// created; scan hits let it run.
func (e *Engine) checkDangerous(ctx context.Context, sc manage.Scope, caller execute.Caller, d scriptDetail) error {
	v, err := e.mgr.CheckScriptRun(ctx, manage.ScriptRunCheck{BizID: sc.BizID, Operator: operatorName(caller),
		AppCode: caller.AppCode, StartupMode: caller.StartupMode, ScriptLanguage: d.Language, Content: d.Content})
	if err != nil {
		return err
	}
	if len(v.Warnings) > 0 {
		e.log.Info("script matches scan dangerous rules", "biz", sc.BizID, "operator", operatorName(caller), "hits", len(v.Warnings))
	}
	return nil
}

// operatorName is who runs: the user, or the app acting for nobody.
func operatorName(c execute.Caller) string {
	if c.Username != "" {
		return c.Username
	}
	return c.AppCode
}
