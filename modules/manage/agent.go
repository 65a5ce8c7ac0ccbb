package manage

import "github.com/bkjob/bkjob/platform/httpx"

// ListAgentsRequest is list_agents (a bkjob extension, administrators
// only): the agents of a business's hosts, enrolled or revoked, by host id.
// Start is the offset (default 0), Length the page size (default 20, at
// most 1000). Keyword, when set, keeps the agents whose IP or agent id
// contains it (at most 64 characters; case ignored).
type ListAgentsRequest struct {
	ScopeRef
	Keyword string `json:"keyword,omitempty"`
	Start   int    `json:"start,omitempty"`
	Length  int    `json:"length,omitempty"`
}

// Agent is one agent as an operator sees it. Times are Unix milliseconds,
// 0 when unknown: EnrolledAt is 0 for an agent from before per-agent
// credentials that has not reconnected since. ConfirmedAt is when the agent
// confirmed it stored its credential; until then (0) a same-business token
// may enrol that id again, for hub.UnconfirmedEnrolWindow after EnrolledAt
// only, so an agent with EnrolledAt set but ConfirmedAt 0 is not safe yet.
type Agent struct {
	AgentID     string `json:"bk_agent_id"`
	HostID      int64  `json:"bk_host_id"`
	BizID       int64  `json:"bk_biz_id"`
	CloudID     int64  `json:"bk_cloud_id"`
	IP          string `json:"ip"`
	EnrolledAt  int64  `json:"enrolled_at"`
	ConfirmedAt int64  `json:"confirmed_at"`
	LastSeen    int64  `json:"last_seen"`
	Alive       bool   `json:"alive"`
	Revoked     bool   `json:"revoked"`
	RevokedAt   int64  `json:"revoked_at,omitempty"`
	RevokedBy   string `json:"revoked_by,omitempty"`
}

// AgentPage is one page of agents, bk-job's page shape.
type AgentPage = httpx.V3Page[Agent]

// RevokeAgentRequest is revoke_agent (a bkjob extension, administrators
// only): the agent is disconnected at once and refused from then on; its
// host is freed for a new agent of the business to enrol.
type RevokeAgentRequest struct {
	ScopeRef
	Operator string `json:"operator,omitempty" web:"-"`
	AgentID  string `json:"bk_agent_id"`
}
