package manage

import (
	"context"
	"net/http"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// AgentTokens manages a business's agent enrolment tokens from the product
// (bkjob extensions: bk-job enrols its agents through GSE and has no such
// endpoints). A token admits an agent's first connection to its business;
// the gse hub then issues the agent its own credential, so rotating or
// deleting a token never affects an enrolled agent. The secret is answered
// once, by create and rotate; only its SHA-256 is stored. Administrators
// only, like list_agents and revoke_agent.
type AgentTokens interface {
	// ListAgentTokens pages through a business's enrolment tokens by id,
	// never with their secrets.
	//api:v3 list_agent_tokens admin extension
	//api:web
	ListAgentTokens(ctx context.Context, req ListAgentTokensRequest) (AgentTokenPage, error)
	// CreateAgentToken makes an enrolment token and answers its secret,
	// the only time it is shown.
	//api:v3 create_agent_token post admin extension
	//api:web
	CreateAgentToken(ctx context.Context, req CreateAgentTokenRequest) (AgentTokenSecret, error)
	// RotateAgentToken gives a token a new secret (answered once); the old
	// one stops admitting at once or after the grace period asked for.
	//api:v3 rotate_agent_token post admin extension
	//api:web
	RotateAgentToken(ctx context.Context, req RotateAgentTokenRequest) (AgentTokenSecret, error)
	// DeleteAgentToken revokes a token for good: no new enrolment with it.
	//api:v3 delete_agent_token post admin extension
	//api:web
	DeleteAgentToken(ctx context.Context, req DeleteAgentTokenRequest) (AgentToken, error)
}

// Enrolment token limits, checked at the API with the field named.
const (
	// MaxAgentTokenNameLen bounds a token's name, in characters.
	MaxAgentTokenNameLen = 64
	// MaxAgentTokenDescriptionLen bounds its description, in characters.
	MaxAgentTokenDescriptionLen = 512
	// MaxAgentTokensPerBiz bounds how many tokens a business keeps.
	MaxAgentTokensPerBiz = 100
	// MaxAgentTokenGraceSeconds bounds a rotation's grace period: long
	// enough to update a deployment script, short enough that a leaked
	// token being rotated away is not useful for long.
	MaxAgentTokenGraceSeconds = 3600
)

// Enrolment token statuses as the API names them.
const (
	AgentTokenActive  = "ACTIVE"
	AgentTokenExpired = "EXPIRED"
)

// ErrAgentTokenNotFound is the answer when there is no enrolment token with that id in the business.
var ErrAgentTokenNotFound = errs.New("agentToken.notFound", http.StatusNotFound, "enrolment token not found")

// ErrAgentTokenLimit is the answer when the business already keeps MaxAgentTokensPerBiz tokens.
var ErrAgentTokenLimit = errs.New("agentToken.limit", http.StatusConflict, "too many enrolment tokens")

// ListAgentTokensRequest is list_agent_tokens. Start is the offset
// (default 0), Length the page size (default 20, at most 1000).
type ListAgentTokensRequest struct {
	ScopeRef
	Start  int `json:"start,omitempty"`
	Length int `json:"length,omitempty"`
}

// CreateAgentTokenRequest is create_agent_token. ExpireTime (Unix ms, 0 for
// never) must be in the future.
type CreateAgentTokenRequest struct {
	ScopeRef
	Operator    string `json:"operator,omitempty" web:"-"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	ExpireTime  int64  `json:"expire_time,omitempty"`
}

// RotateAgentTokenRequest is rotate_agent_token. GraceSeconds (0 to
// MaxAgentTokenGraceSeconds, default 0) is how long the old secret still
// admits new enrolments; 0 stops it at once.
type RotateAgentTokenRequest struct {
	ScopeRef
	Operator     string `json:"operator,omitempty" web:"-"`
	ID           int64  `json:"id"`
	GraceSeconds int    `json:"grace_seconds,omitempty"`
}

// DeleteAgentTokenRequest is delete_agent_token.
type DeleteAgentTokenRequest struct {
	ScopeRef
	Operator string `json:"operator,omitempty" web:"-"`
	ID       int64  `json:"id"`
}

// AgentToken is an enrolment token as an operator sees it, never with its
// secret. Times are Unix milliseconds, 0 when none: ExpireTime 0 never
// expires, LastUsedTime 0 never enrolled an agent, PreviousValidUntil is
// when the secret before the last rotation stops admitting (0: it already
// has).
type AgentToken struct {
	ID                 int64  `json:"id"`
	BizID              int64  `json:"bk_biz_id"`
	Name               string `json:"name"`
	Description        string `json:"description"`
	Status             string `json:"status"` // AgentTokenActive | AgentTokenExpired
	Creator            string `json:"creator"`
	CreateTime         int64  `json:"create_time"`
	LastModifyUser     string `json:"last_modify_user"`
	LastModifyTime     int64  `json:"last_modify_time"`
	ExpireTime         int64  `json:"expire_time"`
	LastUsedTime       int64  `json:"last_used_time"`
	RotateTime         int64  `json:"rotate_time"`
	PreviousValidUntil int64  `json:"previous_valid_until"`
}

// AgentTokenSecret is a token with its secret, answered by create and
// rotate only: `bkjob agent --token-file <file with Token>` enrols with it.
type AgentTokenSecret struct {
	AgentToken
	Token string `json:"token"`
}

// AgentTokenPage is one page of enrolment tokens, bk-job's page shape.
type AgentTokenPage = httpx.V3Page[AgentToken]

// TakeActor records the caller as the operator; the door calls it.
func (r *CreateAgentTokenRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *RotateAgentTokenRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}

// TakeActor records the caller as the operator; the door calls it.
func (r *DeleteAgentTokenRequest) TakeActor(username, appCode string, _ api.Surface) {
	r.Operator = operatorOf(username, appCode)
}
