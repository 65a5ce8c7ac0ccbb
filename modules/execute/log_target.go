package execute

import (
	"context"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/httpx"
)

// LogTargetRequest names a step run for LogTarget: a step instance, its
// execute count and batch (logsvr.AnyBatch: the host's own batch, or every
// batch when HostID is 0), and optionally one host. The web log endpoints
// name no scope; when ScopeRef is given, a step of another scope is not
// found.
type LogTargetRequest struct {
	ScopeRef
	Caller         `json:"caller" web:"-"` // the door fills it (TakeActor)
	StepInstanceID int64                   `json:"step_instance_id"`
	ExecuteCount   int                     `json:"execute_count"`
	Batch          int                     `json:"batch"`
	HostID         int64                   `json:"host_id,omitempty"`
}

// LogLookup adapts svc to logsvr.StepLookup, for logsvr.Handlers mounted
// behind the gateway's authentication: the caller is the request's actor.
// Errors are execute's typed errors (ErrStepNotFound, ErrHostNotFound,
// errs.Invalid), which the gateway maps to 404 and 400.
func LogLookup(svc Service) logsvr.StepLookup {
	return func(ctx context.Context, stepInstanceID int64, executeCount, batch int, hostID int64) (logsvr.StepState, error) {
		req := LogTargetRequest{StepInstanceID: stepInstanceID, ExecuteCount: executeCount, Batch: batch, HostID: hostID}
		if a, ok := httpx.ActorFrom(ctx); ok {
			req.Caller.TakeActor(a.Username, a.AppCode, api.SurfaceWeb)
		}
		return svc.LogTarget(ctx, req)
	}
}
