package manage

import (
	"context"
	"net/http"

	"github.com/bkjob/bkjob/platform/errs"
)

// GSEHosts registers the hosts a BlueKing GSE 2.0 reaches (gse.transport
// gse2) with their GSE agent ids, until host import from the CMDB exists.
// Administrators only (Actor.AllScopes), like revoke_agent.
type GSEHosts interface {
	// RegisterGSEHosts creates the listed hosts in the business, or sets
	// the agent id of those it already has, all or nothing.
	//api:v3 register_gse_hosts post admin extension
	RegisterGSEHosts(ctx context.Context, req RegisterGSEHostsRequest) (GSEHostList, error)
}

// Limits of register_gse_hosts. MaxGSEAgentIDLen is the host table's
// agent_id column (and the hub's bound on agent ids).
const (
	MaxGSEHostsPerCall = 1000
	MaxGSEAgentIDLen   = 64
)

// RegisterGSEHostsRequest is register_gse_hosts (a bkjob extension,
// administrators only, POST only).
type RegisterGSEHostsRequest struct {
	ScopeRef
	Operator string        `json:"operator,omitempty" web:"-"`
	HostList []GSEHostSpec `json:"host_list"`
}

// GSEHostSpec is one host to register: its cloud area and IPv4 address, and
// the id GSE knows its agent by (1..64 of A-Z a-z 0-9 : _ . -).
type GSEHostSpec struct {
	CloudID int64  `json:"bk_cloud_id"`
	IP      string `json:"ip"`
	AgentID string `json:"bk_agent_id"`
}

// GSEHost is a registered host. Created says the call added it; otherwise
// it existed in the business and now has this agent id.
type GSEHost struct {
	HostID  int64  `json:"bk_host_id"`
	CloudID int64  `json:"bk_cloud_id"`
	IP      string `json:"ip"`
	AgentID string `json:"bk_agent_id"`
	Created bool   `json:"created"`
}

// GSEHostList is register_gse_hosts' answer, in the order of the request.
type GSEHostList struct {
	HostList []GSEHost `json:"host_list"`
}

var (
	// ErrAgentIDTaken means the agent id is another host's, or was issued
	// in another business.
	ErrAgentIDTaken = errs.New("agent.idTaken", http.StatusConflict, "agent id already in use")
	// ErrGSEHostsOff means this server does not reach hosts through GSE 2.0.
	ErrGSEHostsOff = errs.New("manage.gseHostsOff", http.StatusNotImplemented,
		"GSE hosts can be registered only when gse.transport is gse2")
)
