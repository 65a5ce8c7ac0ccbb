package manage

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/bus"
)

// RegisterGSEHosts implements GSEHosts over the bus.
func (c *Client) RegisterGSEHosts(ctx context.Context, req RegisterGSEHostsRequest) (GSEHostList, error) {
	return bus.Call[RegisterGSEHostsRequest, GSEHostList](ctx, c.b, MethodRegisterGSEHosts, req)
}

// serveGSEHosts registers the GSEHosts handler on the bus.
func serveGSEHosts(b bus.Bus, svc GSEHosts) error {
	return bus.Handle(b, MethodRegisterGSEHosts, svc.RegisterGSEHosts)
}

// registerGSEHostsV3 is the v3 handler of register_gse_hosts: POST only
// (RegisterV3 puts it among the POST endpoints) and administrators only.
func registerGSEHostsV3(h v3, svc GSEHosts) echo.HandlerFunc {
	return adminV3(endpoint(h, func(r *RegisterGSEHostsRequest) (*ScopeRef, *string) { return &r.ScopeRef, &r.Operator },
		svc.RegisterGSEHosts))
}
