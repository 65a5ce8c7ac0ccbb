package execute

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// RegisterV3 mounts bk-job's OpenAPI v3 execution endpoints on g (the
// gateway's /api/v3 group, behind its X-Bkapi-Authorization check). Every
// endpoint answers POST (JSON body) and, unless bk-job serves it by POST only, GET
// (query parameters), with or without a trailing slash, in bk-job's
// envelope.
func RegisterV3(g *echo.Group, svc Service, mgr manage.Service) {
	h := v3{svc: svc, mgr: mgr}
	routes := map[string]echo.HandlerFunc{
		"fast_execute_script": endpoint(h, func(r *FastExecuteScriptRequest) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.FastExecuteScript),
		"fast_transfer_file": endpoint(h, func(r *FastTransferFileRequest) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.FastTransferFile),
		"push_config_file": endpoint(h, func(r *PushConfigFileRequest) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.PushConfigFile),
		"get_job_instance_status": endpoint(h, func(r *GetJobInstanceStatusRequest) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.GetJobInstanceStatus),
		"get_job_instance_ip_log": endpoint(h, func(r *GetHostLogRequest) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.GetHostLog),
		"batch_get_job_instance_ip_log": endpoint(h, func(r *BatchGetHostLogsRequest) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.BatchGetHostLogs),
		"get_job_instance_list": endpoint(h, func(r *GetJobInstanceListRequest) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.GetJobInstanceList),
		"get_step_instance_status": endpoint(h, func(r *GetStepInstanceStatusRequest) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.GetStepInstanceStatus),
		"get_step_instance_detail": endpoint(h, func(r *StepRef) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.GetStepInstanceDetail),
		"operate_job_instance": endpoint(h, func(r *OperateJobInstanceRequest) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.OperateJobInstance),
		"operate_step_instance": endpoint(h, func(r *OperateStepInstanceRequest) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.OperateStepInstance),
		"get_job_instance_global_var_value": endpoint(h, func(r *JobRef) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.GetJobInstanceGlobalVarValue),
		"query_agent_info": endpoint(h, func(r *QueryAgentInfoRequest) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.QueryAgentInfo),
		// bkjob extension: the batch plan of a rolling expression.
		"rolling_preview": endpoint(h, func(r *RollingPreviewRequest) (*ScopeRef, *Caller) { return &r.ScopeRef, &r.Caller },
			svc.RollingPreview),
	}
	// The endpoints whose backend_http_methods in bk-job's reference are
	// POST alone; a GET on them is refused with 1239003.
	postOnly := map[string]bool{
		"fast_execute_script": true, "fast_transfer_file": true, "push_config_file": true,
		"batch_get_job_instance_ip_log": true, "operate_job_instance": true,
		"operate_step_instance": true, "query_agent_info": true,
	}
	for name, fn := range routes {
		get := fn
		if postOnly[name] {
			get = httpx.V3PostOnly
		}
		for _, p := range []string{"/" + name, "/" + name + "/"} {
			g.GET(p, get)
			g.POST(p, fn)
		}
	}
}

// maxV3Body bounds a request body: 50,000 targets or 5 MB of base64
// content fit comfortably.
const maxV3Body = 16 << 20

type v3 struct {
	svc Service
	mgr manage.Service
}

// endpoint binds the request, sets its caller from the authenticated actor
// and its scope from manage, calls the service and writes the envelope.
func endpoint[Req, Resp any](h v3, parts func(*Req) (*ScopeRef, *Caller), call func(context.Context, Req) (Resp, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req Req
		if err := httpx.BindV3(c, &req, maxV3Body); err != nil {
			return httpx.V3Error(c, err)
		}
		scope, caller := parts(&req)
		actor, ok := httpx.ActorOf(c)
		if !ok || actor.Username == "" && actor.AppCode == "" {
			return httpx.V3Error(c, errs.ErrUnauthorized.Withf("no authenticated caller: send X-Bkapi-Authorization"))
		}
		*caller = Caller{Username: actor.Username, AppCode: actor.AppCode, StartupMode: StartupAPI}
		ctx := c.Request().Context()
		if err := h.resolveScope(ctx, scope); err != nil {
			return httpx.V3Error(c, err)
		}
		resp, err := call(ctx, req)
		if err != nil {
			return httpx.V3Error(c, err)
		}
		return httpx.V3OK(c, resp)
	}
}

// resolveScope checks the request's scope against manage and writes the
// canonical scope back.
func (h v3) resolveScope(ctx context.Context, s *ScopeRef) error {
	sc, err := manage.ResolveScopeParams(ctx, h.mgr, s.ScopeType, s.ScopeID, s.BizID)
	if err != nil {
		return err
	}
	*s = ScopeRef{ScopeType: sc.Type, ScopeID: sc.ID, BizID: sc.BizID}
	return nil
}
