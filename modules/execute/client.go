package execute

import (
	"context"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/bus"
)

// Client carries Service calls over the bus to an execute role elsewhere (or
// in this process, when bus.force_remote is set).
type Client struct{ b bus.Bus }

var _ Service = (*Client)(nil)

// NewClient returns a remote Service.
func NewClient(b bus.Bus) *Client { return &Client{b: b} }

func (c *Client) FastExecuteScript(ctx context.Context, r FastExecuteScriptRequest) (JobCreated, error) {
	return bus.Call[FastExecuteScriptRequest, JobCreated](ctx, c.b, MethodFastExecuteScript, r)
}

func (c *Client) FastTransferFile(ctx context.Context, r FastTransferFileRequest) (JobCreated, error) {
	return bus.Call[FastTransferFileRequest, JobCreated](ctx, c.b, MethodFastTransferFile, r)
}

func (c *Client) PushConfigFile(ctx context.Context, r PushConfigFileRequest) (JobCreated, error) {
	return bus.Call[PushConfigFileRequest, JobCreated](ctx, c.b, MethodPushConfigFile, r)
}

func (c *Client) GetJobInstanceStatus(ctx context.Context, r GetJobInstanceStatusRequest) (JobInstanceStatus, error) {
	return bus.Call[GetJobInstanceStatusRequest, JobInstanceStatus](ctx, c.b, MethodGetJobInstanceStatus, r)
}

func (c *Client) GetStepInstanceStatus(ctx context.Context, r GetStepInstanceStatusRequest) (StepInstanceStatus, error) {
	return bus.Call[GetStepInstanceStatusRequest, StepInstanceStatus](ctx, c.b, MethodGetStepInstanceStatus, r)
}

func (c *Client) GetStepInstanceDetail(ctx context.Context, r StepRef) (StepInstanceDetail, error) {
	return bus.Call[StepRef, StepInstanceDetail](ctx, c.b, MethodGetStepInstanceDetail, r)
}

func (c *Client) GetJobInstanceList(ctx context.Context, r GetJobInstanceListRequest) (JobInstancePage, error) {
	return bus.Call[GetJobInstanceListRequest, JobInstancePage](ctx, c.b, MethodGetJobInstanceList, r)
}

func (c *Client) GetJobInstanceGlobalVarValue(ctx context.Context, r JobRef) (JobGlobalVarValues, error) {
	return bus.Call[JobRef, JobGlobalVarValues](ctx, c.b, MethodGetJobInstanceGlobalVarValue, r)
}

func (c *Client) OperateJobInstance(ctx context.Context, r OperateJobInstanceRequest) (OperateJobResult, error) {
	return bus.Call[OperateJobInstanceRequest, OperateJobResult](ctx, c.b, MethodOperateJobInstance, r)
}

func (c *Client) OperateStepInstance(ctx context.Context, r OperateStepInstanceRequest) (OperateStepResult, error) {
	return bus.Call[OperateStepInstanceRequest, OperateStepResult](ctx, c.b, MethodOperateStepInstance, r)
}

func (c *Client) GetHostLog(ctx context.Context, r GetHostLogRequest) (HostLog, error) {
	return bus.Call[GetHostLogRequest, HostLog](ctx, c.b, MethodGetHostLog, r)
}

func (c *Client) BatchGetHostLogs(ctx context.Context, r BatchGetHostLogsRequest) (BatchHostLogs, error) {
	return bus.Call[BatchGetHostLogsRequest, BatchHostLogs](ctx, c.b, MethodBatchGetHostLogs, r)
}

func (c *Client) LogTarget(ctx context.Context, r LogTargetRequest) (logsvr.StepState, error) {
	return bus.Call[LogTargetRequest, logsvr.StepState](ctx, c.b, MethodLogTarget, r)
}

func (c *Client) RollingPreview(ctx context.Context, r RollingPreviewRequest) (RollingPlan, error) {
	return bus.Call[RollingPreviewRequest, RollingPlan](ctx, c.b, MethodRollingPreview, r)
}

func (c *Client) QueryAgentInfo(ctx context.Context, r QueryAgentInfoRequest) (AgentInfoList, error) {
	return bus.Call[QueryAgentInfoRequest, AgentInfoList](ctx, c.b, MethodQueryAgentInfo, r)
}

// Serve registers svc's handlers on the bus, so remote clients reach it.
func Serve(b bus.Bus, svc Service) error {
	regs := []func() error{
		func() error { return bus.Handle(b, MethodFastExecuteScript, svc.FastExecuteScript) },
		func() error { return bus.Handle(b, MethodFastTransferFile, svc.FastTransferFile) },
		func() error { return bus.Handle(b, MethodPushConfigFile, svc.PushConfigFile) },
		func() error { return bus.Handle(b, MethodGetJobInstanceStatus, svc.GetJobInstanceStatus) },
		func() error { return bus.Handle(b, MethodGetStepInstanceStatus, svc.GetStepInstanceStatus) },
		func() error { return bus.Handle(b, MethodGetStepInstanceDetail, svc.GetStepInstanceDetail) },
		func() error { return bus.Handle(b, MethodGetJobInstanceList, svc.GetJobInstanceList) },
		func() error {
			return bus.Handle(b, MethodGetJobInstanceGlobalVarValue, svc.GetJobInstanceGlobalVarValue)
		},
		func() error { return bus.Handle(b, MethodOperateJobInstance, svc.OperateJobInstance) },
		func() error { return bus.Handle(b, MethodOperateStepInstance, svc.OperateStepInstance) },
		func() error { return bus.Handle(b, MethodGetHostLog, svc.GetHostLog) },
		func() error { return bus.Handle(b, MethodBatchGetHostLogs, svc.BatchGetHostLogs) },
		func() error { return bus.Handle(b, MethodLogTarget, svc.LogTarget) },
		func() error { return bus.Handle(b, MethodRollingPreview, svc.RollingPreview) },
		func() error { return bus.Handle(b, MethodQueryAgentInfo, svc.QueryAgentInfo) },
	}
	for _, reg := range regs {
		if err := reg(); err != nil {
			return err
		}
	}
	return nil
}
