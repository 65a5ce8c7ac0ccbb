package manage

import "github.com/bkjob/bkjob/platform/httpx"

// DefaultSSHPort is the port of an agentless host when none is given.
const DefaultSSHPort = 22

// CreateAgentlessHostRequest is create_agentless_host (a bkjob extension):
// a host reached over SSH at ip:ssh_port as ssh_user with the credential.
// ssh_user may be left out when the credential is USERNAME_PASSWORD; its
// user name is taken then.
type CreateAgentlessHostRequest struct {
	ScopeRef
	Operator     string       `json:"operator,omitempty" web:"-"`
	CloudID      int64        `json:"bk_cloud_id"`
	IP           string       `json:"ip"`
	SSHPort      int          `json:"ssh_port,omitempty"`
	SSHUser      string       `json:"ssh_user,omitempty"`
	CredentialID CredentialID `json:"credential_id"`
}

// AgentlessHost is a registered agentless host.
type AgentlessHost struct {
	HostID       int64        `json:"bk_host_id"`
	CloudID      int64        `json:"bk_cloud_id"`
	IP           string       `json:"ip"`
	SSHPort      int          `json:"ssh_port"`
	SSHUser      string       `json:"ssh_user"`
	CredentialID CredentialID `json:"credential_id"`
}

// ListAgentlessHostsRequest is list_agentless_hosts (a bkjob extension).
// Start is the offset (default 0), Length the page size (default 20, at
// most 1000).
type ListAgentlessHostsRequest struct {
	ScopeRef
	Start  int `json:"start,omitempty"`
	Length int `json:"length,omitempty"`
}

// AgentlessHostPage is one page of agentless hosts, bk-job's page shape.
type AgentlessHostPage = httpx.V3Page[AgentlessHost]

// CheckAgentlessHostRequest is check_agentless_host (a bkjob extension):
// the fields of create_agentless_host, checked the same way.
type CheckAgentlessHostRequest struct {
	ScopeRef
	Operator     string       `json:"operator,omitempty" web:"-"`
	CloudID      int64        `json:"bk_cloud_id"`
	IP           string       `json:"ip"`
	SSHPort      int          `json:"ssh_port,omitempty"`
	SSHUser      string       `json:"ssh_user,omitempty"`
	CredentialID CredentialID `json:"credential_id"`
}

// AgentlessHostCheck is check_agentless_host's answer. Reason is
// "network", "auth", "host_key" or "credential" when OK is false (the
// gse.SSHProbe* words); Detail is the SSH client's own message.
type AgentlessHostCheck struct {
	OK      bool   `json:"ok"`
	Reason  string `json:"reason,omitempty"`
	Detail  string `json:"detail,omitempty"`
	SSHAddr string `json:"ssh_addr"`
	SSHUser string `json:"ssh_user"`
}
