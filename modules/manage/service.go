// Package manage is the contract of the manage role: businesses (scopes),
// execution accounts, credentials, agentless (SSH) hosts and, later,
// scripts, templates, plans and settings.
// Callers hold these interfaces only; the implementation lives in
// modules/manage/manageimpl.
package manage

//go:generate go run github.com/bkjob/bkjob/platform/api/apigen -contract Full

import (
	"context"
	"net/http"

	"github.com/bkjob/bkjob/platform/errs"
)

// Scope is a bk-job resource scope (bk_scope_type + bk_scope_id) resolved to
// its numeric business id.
type Scope struct {
	Type  string `json:"bk_scope_type"` // "biz" | "biz_set"
	ID    string `json:"bk_scope_id"`
	BizID int64  `json:"bk_biz_id"`
	Name  string `json:"name"`
	// TimeZone is the business's IANA time zone: the UI shows its dates in it.
	TimeZone string `json:"time_zone"`
}

// Account categories and types (bk-job AccountCategoryEnum / AccountTypeEnum).
const (
	AccountCategorySystem = 1
	AccountCategoryDB     = 2
	AccountTypeLinux      = 1
	AccountTypeWindows    = 2
	AccountTypeMySQL      = 9
)

// Account is an execution account. Secrets never leave manage in clear.
type Account struct {
	ID       int64  `json:"id"`
	BizID    int64  `json:"bk_biz_id"`
	Account  string `json:"account"`
	Alias    string `json:"alias"`
	Category int    `json:"category"`
	Type     int    `json:"type"`
	OS       string `json:"os"`
}

// AccountRef names an account by id or alias (API: account_id | account_alias).
type AccountRef struct {
	ID    int64  `json:"id,omitempty"`
	Alias string `json:"alias,omitempty"`
}

// Service is what other roles call on manage.
type Service interface {
	// ResolveScope maps a scope to its business; ErrScopeNotFound if unknown.
	ResolveScope(ctx context.Context, scopeType, scopeID string) (Scope, error)
	// Account finds an account of the business by id or alias; ErrAccountNotFound if unknown.
	Account(ctx context.Context, bizID int64, ref AccountRef) (Account, error)
	// CheckScriptRun checks a script about to run against the enabled
	// dangerous rules and records every hit: ErrDangerousScript (naming
	// the rule) when an intercept rule matched, else the scan warnings.
	CheckScriptRun(ctx context.Context, req ScriptRunCheck) (ScriptRunVerdict, error)
	// CheckUploads checks files a request carries (push_config_file)
	// against the global upload settings: size and extension. A refusal is
	// errs.Invalid naming the file's field, e.g. file_list[1].file_name.
	CheckUploads(ctx context.Context, req UploadCheck) (UploadsAllowed, error)
}

// Credentials keeps credentials (bk-job's ticket). Secrets go in and never
// come back out through it, except to the gse role through SSHCredential.
// Requests carry a resolved business (BizID > 0) and the acting user.
type Credentials interface {
	// CreateCredential stores a new credential, its secrets sealed.
	//api:v3 create_credential post
	//api:web
	CreateCredential(ctx context.Context, req CreateCredentialRequest) (CredentialRef, error)
	// UpdateCredential changes name, description, and (when a type or any
	// value is given) replaces the whole secret set.
	//api:v3 update_credential post
	//api:web
	UpdateCredential(ctx context.Context, req UpdateCredentialRequest) (CredentialRef, error)
	// GetCredential returns a credential's metadata; values come back masked.
	//api:v3 get_credential_detail
	//api:web
	GetCredential(ctx context.Context, req GetCredentialRequest) (Credential, error)
	// ListCredentials pages through a business's credentials by name,
	// values never included (bk-job's web lists them; its v3 does not).
	//api:v3 list_credentials extension
	//api:web
	ListCredentials(ctx context.Context, req ListCredentialsRequest) (CredentialPage, error)
	// DeleteCredential removes a credential no agentless host uses.
	//api:v3 delete_credential post extension
	//api:web
	DeleteCredential(ctx context.Context, req DeleteCredentialRequest) (CredentialRef, error)
	// SSHCredential is for the gse role only: the decrypted secrets of
	// credential id as an SSH login. Never expose it through an API.
	SSHCredential(ctx context.Context, id CredentialID) (SSHCredential, error)
}

// AgentlessHosts registers hosts reached over SSH instead of an agent.
type AgentlessHosts interface {
	// CreateAgentlessHost adds a host with an SSH endpoint and credential.
	//api:v3 create_agentless_host post extension
	//api:web
	CreateAgentlessHost(ctx context.Context, req CreateAgentlessHostRequest) (AgentlessHost, error)
	// ListAgentlessHosts pages through a business's agentless hosts by id.
	//api:v3 list_agentless_hosts extension
	//api:web
	ListAgentlessHosts(ctx context.Context, req ListAgentlessHostsRequest) (AgentlessHostPage, error)
	// CheckAgentlessHost has the gse role log in to a host over SSH as
	// create_agentless_host would register it, and says whether it could
	// and, if not, why. Nothing is stored, not even the host key (see
	// gse/ssh hostKeyCallback). Administrators only: it makes the server
	// open SSH connections to an address the caller names.
	//api:v3 check_agentless_host post admin extension
	//api:web
	CheckAgentlessHost(ctx context.Context, req CheckAgentlessHostRequest) (AgentlessHostCheck, error)
}

// Agents lets administrators see and revoke the agents of a business's
// hosts (the gse hub enforces what they decide; see gse/hub/enrol.go).
type Agents interface {
	// ListAgents pages through a business's agents by host id.
	//api:v3 list_agents admin extension
	//api:web agents
	ListAgents(ctx context.Context, req ListAgentsRequest) (AgentPage, error)
	// RevokeAgent cuts an agent off for good and frees its host.
	//api:v3 revoke_agent post admin extension
	//api:web agents/revoke
	RevokeAgent(ctx context.Context, req RevokeAgentRequest) (Agent, error)
}

// Scopes tells a caller about a business it may use.
type Scopes interface {
	// GetScope returns a business's name and time zone.
	//api:web get_scope
	GetScope(ctx context.Context, req GetScopeRequest) (Scope, error)
}

// GetScopeRequest names the business; the door checks the caller may use it.
type GetScopeRequest struct {
	ScopeRef
}

// Full is everything manage offers. The implementation and the bus client
// satisfy it; callers that need only scopes and accounts hold Service.
type Full interface {
	Service
	Scopes
	Accounts
	Credentials
	AgentlessHosts
	Agents
	AgentTokens
	GSEHosts
	BizHosts
	DangerousRules
	Scripts
	PublicScripts
	ScopeAdmin
	GlobalSettings
}

// Sentinel errors, with their stable codes.
var (
	ErrScopeNotFound   = errs.New("scope.notFound", http.StatusNotFound, "scope not found")
	ErrAccountNotFound = errs.New("account.notFound", http.StatusNotFound, "account not found")
	// ErrCredentialNotFound: no such credential in the business.
	ErrCredentialNotFound = errs.New("credential.notFound", http.StatusNotFound, "credential not found")
	// ErrCredentialNotForSSH: the credential's type cannot log in over SSH.
	ErrCredentialNotForSSH = errs.New("credential.notForSSH", http.StatusBadRequest, "credential cannot be used for SSH")
	// ErrHostExists: a host with that (cloud area, ip) is already registered.
	ErrHostExists = errs.New("host.exists", http.StatusConflict, "host already exists")
	// ErrAgentNotFound: no agent with that id on a host of the business.
	ErrAgentNotFound = errs.New("agent.notFound", http.StatusNotFound, "agent not found")
	// ErrCredentialInUse: agentless hosts log in with the credential.
	ErrCredentialInUse = errs.New("credential.inUse", http.StatusConflict, "credential is in use")
	// ErrSSHProbeUnavailable: no gse role answered the login test.
	ErrSSHProbeUnavailable = errs.New("host.sshProbeUnavailable", http.StatusServiceUnavailable, "the SSH login test cannot be made now")
	// ErrSecretsUnavailable: this manage has no secret box to seal or open values.
	ErrSecretsUnavailable = errs.New("credential.noSecretBox", http.StatusServiceUnavailable, "secrets cannot be sealed or opened here")
)
