package manage

import (
	"context"

	"github.com/bkjob/bkjob/platform/bus"
)

type sshCredentialReq struct {
	ID CredentialID `json:"id"`
}

func (c *Client) CreateCredential(ctx context.Context, req CreateCredentialRequest) (CredentialRef, error) {
	return bus.Call[CreateCredentialRequest, CredentialRef](ctx, c.b, MethodCreateCredential, req)
}

func (c *Client) UpdateCredential(ctx context.Context, req UpdateCredentialRequest) (CredentialRef, error) {
	return bus.Call[UpdateCredentialRequest, CredentialRef](ctx, c.b, MethodUpdateCredential, req)
}

func (c *Client) GetCredential(ctx context.Context, req GetCredentialRequest) (Credential, error) {
	return bus.Call[GetCredentialRequest, Credential](ctx, c.b, MethodGetCredential, req)
}

// SSHCredential carries the decrypted secrets back over the bus: on
// RabbitMQ they cross the broker, so its links should be TLS in production.
func (c *Client) SSHCredential(ctx context.Context, id CredentialID) (SSHCredential, error) {
	return bus.Call[sshCredentialReq, SSHCredential](ctx, c.b, MethodSSHCredential, sshCredentialReq{id})
}

func (c *Client) CreateAgentlessHost(ctx context.Context, req CreateAgentlessHostRequest) (AgentlessHost, error) {
	return bus.Call[CreateAgentlessHostRequest, AgentlessHost](ctx, c.b, MethodCreateAgentlessHost, req)
}

func (c *Client) ListAgentlessHosts(ctx context.Context, req ListAgentlessHostsRequest) (AgentlessHostPage, error) {
	return bus.Call[ListAgentlessHostsRequest, AgentlessHostPage](ctx, c.b, MethodListAgentlessHosts, req)
}

func (c *Client) ListAgents(ctx context.Context, req ListAgentsRequest) (AgentPage, error) {
	return bus.Call[ListAgentsRequest, AgentPage](ctx, c.b, MethodListAgents, req)
}

func (c *Client) RevokeAgent(ctx context.Context, req RevokeAgentRequest) (Agent, error) {
	return bus.Call[RevokeAgentRequest, Agent](ctx, c.b, MethodRevokeAgent, req)
}

// serveFull registers the credential and agentless host handlers.
func serveFull(b bus.Bus, svc Full) error {
	handlers := []func() error{
		func() error { return bus.Handle(b, MethodCreateCredential, svc.CreateCredential) },
		func() error { return bus.Handle(b, MethodUpdateCredential, svc.UpdateCredential) },
		func() error { return bus.Handle(b, MethodGetCredential, svc.GetCredential) },
		func() error {
			return bus.Handle(b, MethodSSHCredential, func(ctx context.Context, r sshCredentialReq) (SSHCredential, error) {
				return svc.SSHCredential(ctx, r.ID)
			})
		},
		func() error { return bus.Handle(b, MethodCreateAgentlessHost, svc.CreateAgentlessHost) },
		func() error { return bus.Handle(b, MethodListAgentlessHosts, svc.ListAgentlessHosts) },
		func() error { return bus.Handle(b, MethodListAgents, svc.ListAgents) },
		func() error { return bus.Handle(b, MethodRevokeAgent, svc.RevokeAgent) },
		func() error { return serveGSEHosts(b, svc) },
	}
	for _, h := range handlers {
		if err := h(); err != nil {
			return err
		}
	}
	return nil
}
