package executeimpl

import (
	"bytes"
	"context"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// Script sources of a step (bk-job's step script_source).
const (
	scriptSourceLocal  = 1 // content in the request (手工录入)
	scriptSourceBiz    = 2 // a business script's version (引用业务脚本)
	scriptSourcePublic = 3 // a public script's version (引用公共脚本)
)

// stepScript is the script a step will run, whatever named it.
type stepScript struct {
	Language        int
	Content         string
	Source          int
	ScriptID        string
	ScriptVersionID int64
}

// scriptSource finds what fast_execute_script runs, in bk-job's priority:
// script_version_id, else script_id (its online version), else
// script_content with script_language. A stored version's content is
// copied into the step, so the task records exactly what ran even if the
// library changes later; its status rules (only ONLINE or OFFLINE run,
// DISABLED is 1244014) are manage's ScriptToRun.
func (e *Engine) scriptSource(ctx context.Context, bizID int64, req execute.FastExecuteScriptRequest) (stepScript, error) {
	if req.ScriptVersionID != 0 || req.ScriptID != "" {
		field := "script_version_id"
		if req.ScriptVersionID == 0 {
			field = "script_id"
		}
		if e.scripts == nil {
			return stepScript{}, execute.NotSupported(field, "running a stored script (no script library in this deployment)")
		}
		rs, err := e.scripts.ScriptToRun(ctx, manage.ScriptToRunRequest{BizID: bizID, ScriptID: req.ScriptID, ScriptVersionID: req.ScriptVersionID})
		if err != nil {
			return stepScript{}, err
		}
		if rs.Language == manage.ScriptSQL {
			return stepScript{}, errs.Invalid(field, "a SQL script runs through fast_execute_sql")
		}
		src := stepScript{Language: rs.Language, Content: rs.Content, Source: scriptSourceBiz, ScriptID: rs.ScriptID, ScriptVersionID: rs.ScriptVersionID}
		if rs.Public {
			src.Source = scriptSourcePublic
		}
		return src, nil
	}
	if req.ScriptContent == "" {
		return stepScript{}, errs.Required("script_content").Withf("is required: give script_content (base64), script_id or script_version_id")
	}
	content, err := decodeBase64("script_content", req.ScriptContent)
	if err != nil {
		return stepScript{}, err
	}
	if len(bytes.TrimSpace(content)) == 0 {
		return stepScript{}, errs.Invalid("script_content", "the script is empty")
	}
	if len(content) > execute.MaxScriptContentBytes {
		return stepScript{}, errs.Invalid("script_content", "at most %d bytes, got %d", execute.MaxScriptContentBytes, len(content))
	}
	switch {
	case req.ScriptLanguage == 6:
		return stepScript{}, errs.Invalid("script_language", "SQL (6) runs through fast_execute_sql")
	case req.ScriptLanguage < 1 || req.ScriptLanguage > 5:
		return stepScript{}, errs.Invalid("script_language", "must be 1 shell, 2 bat, 3 perl, 4 python or 5 powershell, got %d", req.ScriptLanguage)
	}
	return stepScript{Language: req.ScriptLanguage, Content: string(content), Source: scriptSourceLocal}, nil
}
