package executeimpl

import (
	"context"
	"fmt"
	"strings"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// fastTask is a validated one-step job ready to be written.
type fastTask struct {
	scope    manage.Scope
	caller   execute.Caller
	name     string
	taskType int
	callback string
	step     stepInstance
	hosts    []stepHost
}

// FastExecuteScript implements execute.Service.
func (e *Engine) FastExecuteScript(ctx context.Context, req execute.FastExecuteScriptRequest) (execute.JobCreated, error) {
	sc, err := e.scope(ctx, req.ScopeRef)
	if err != nil {
		return execute.JobCreated{}, err
	}
	d, err := e.scriptDetail(ctx, sc.BizID, req)
	if err != nil {
		return execute.JobCreated{}, err
	}
	t, name, err := e.jobCommon(req.Caller, req.Timeout, req.TaskName, "API Quick execution script", req.CallbackURL, req.TargetServer)
	if err != nil {
		return execute.JobCreated{}, err
	}
	if err := checkRolling(req.RollingConfig); err != nil {
		return execute.JobCreated{}, err
	}
	hosts, err := e.targets(ctx, sc.BizID, "target_server", req.TargetServer)
	if err != nil {
		return execute.JobCreated{}, err
	}
	detail, err := encodeDetail(d)
	if err != nil {
		return execute.JobCreated{}, err
	}
	ft := fastTask{scope: sc, caller: req.Caller, name: name, taskType: execute.TaskTypeFastScript, callback: req.CallbackURL,
		step: stepInstance{Type: execute.StepTypeScript, Timeout: t, ScriptDetail: detail, IgnoreError: boolInt(req.IgnoreError)}}
	if err := ft.layout(hosts, req.RollingConfig); err != nil {
		return execute.JobCreated{}, err
	}
	if err := e.checkDangerous(ctx, sc, req.Caller, d); err != nil {
		return execute.JobCreated{}, err
	}
	return e.createFast(ctx, ft)
}

// scriptDetail validates the script source, parameters and account.
func (e *Engine) scriptDetail(ctx context.Context, bizID int64, req execute.FastExecuteScriptRequest) (scriptDetail, error) {
	if len(req.HostPasswordList) > 0 {
		return scriptDetail{}, execute.NotSupported("host_password_list", "per-host Windows passwords")
	}
	src, err := e.scriptSource(ctx, bizID, req)
	if err != nil {
		return scriptDetail{}, err
	}
	if req.IsParamSensitive != 0 && req.IsParamSensitive != 1 {
		return scriptDetail{}, errs.Invalid("is_param_sensitive", "must be 0 or 1, got %d", req.IsParamSensitive)
	}
	var param []byte
	if req.ScriptParam != "" {
		if param, err = decodeBase64("script_param", req.ScriptParam); err != nil {
			return scriptDetail{}, err
		}
	}
	limit := execute.MaxScriptParamBytes
	if req.IsParamSensitive == 1 {
		limit = execute.MaxSensitiveParamBytes
	}
	if len(param) > limit {
		return scriptDetail{}, errs.Invalid("script_param", "at most %d bytes before base64, got %d", limit, len(param))
	}
	if _, err := gse.SplitParams(string(param)); err != nil {
		// The script gets gse.SplitParams' words on every transport; a
		// string that does not split is refused here, never run.
		return scriptDetail{}, errs.Invalid("script_param", "%v", err)
	}
	if n := len([]rune(req.WindowsInterpreter)); n > execute.MaxWindowsInterpreter {
		return scriptDetail{}, errs.Invalid("windows_interpreter", "at most %d characters, got %d", execute.MaxWindowsInterpreter, n)
	}
	acc, err := e.account(ctx, bizID, req.AccountID, req.AccountAlias, accountField(req.AccountID, "account_id", "account_alias"))
	if err != nil {
		return scriptDetail{}, err
	}
	p := strings.NewReplacer("\r\n", " ", "\n", " ").Replace(string(param))
	d := scriptDetail{Language: src.Language, Content: src.Content, Param: p, Sensitive: req.IsParamSensitive == 1,
		AccountID: acc.ID, Account: acc.Account, AccountAlias: acc.Alias, WindowsInterpreter: req.WindowsInterpreter,
		ScriptSource: src.Source, ScriptID: src.ScriptID, ScriptVersionID: src.ScriptVersionID}
	if err := e.sealParam(&d); err != nil {
		return scriptDetail{}, err
	}
	return d, nil
}

// layout places the hosts in batches and fills the step's rolling fields.
func (ft *fastTask) layout(hosts []ResolvedHost, rc *execute.RollingConfig) error {
	sizes, err := rollingSizes(rc, len(hosts))
	if err != nil {
		return err
	}
	if rc != nil {
		ft.step.RollingMode = rc.Mode
		ft.step.RollingExpr = strings.Join(strings.Fields(rc.Expression), " ")
		ft.step.TotalBatch = len(sizes)
	}
	ft.hosts = stepHostsOf(hosts, sizes)
	return nil
}

// createFast writes the job, its step and hosts, then starts it.
func (e *Engine) createFast(ctx context.Context, ft fastTask) (execute.JobCreated, error) {
	now := e.nowMS()
	mode := ft.caller.StartupMode
	if mode == 0 {
		mode = execute.StartupAPI
	}
	job := &taskInstance{BizID: ft.scope.BizID, ScopeType: ft.scope.Type, ScopeID: ft.scope.ID, Name: ft.name,
		Type: ft.taskType, Operator: ft.caller.Username, AppCode: ft.caller.AppCode, StartupMode: mode,
		Status: int(execute.StatusBlank), CallbackURL: ft.callback, CreateTime: now, UpdateTime: now}
	step := ft.step
	step.Name, step.Operator, step.Status = ft.name, ft.caller.Username, int(execute.StatusBlank)
	step.CreateTime, step.UpdateTime = now, now
	op := &operationLog{OpCode: execute.OpStart, Operator: ft.caller.Username, AppCode: ft.caller.AppCode, CreateTime: now}
	if err := e.st.createJob(ctx, job, []newStep{{step: &step, hosts: ft.hosts}}, op, e.admission(job)); err != nil {
		return execute.JobCreated{}, err
	}
	e.log.Info("job created", "job_instance_id", job.ID, "type", ft.taskType, "hosts", len(ft.hosts),
		"operator", ft.caller.Username, "app_code", ft.caller.AppCode)
	e.publishJob(ctx, jobStart, job.ID)
	return execute.JobCreated{JobInstanceID: job.ID, JobInstanceName: job.Name, StepInstanceID: step.ID}, nil
}

func checkTargetPath(p string) error {
	_, err := cleanAbsPath("file_target_path", p)
	return err
}

// isAbsPath accepts Unix absolute paths and Windows drive paths.
func isAbsPath(p string) bool {
	if strings.HasPrefix(p, "/") {
		return true
	}
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		(p[0] >= 'a' && p[0] <= 'z' || p[0] >= 'A' && p[0] <= 'Z')
}

func hostName(h ResolvedHost) string {
	if h.IP != "" {
		return fmt.Sprintf("%d:%s", h.CloudID, h.IP)
	}
	return fmt.Sprintf("id %d", h.ID)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
