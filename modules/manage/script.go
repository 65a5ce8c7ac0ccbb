package manage

import (
	"context"
	"net/http"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// Script languages (bk-job ScriptTypeEnum).
const (
	ScriptShell      = 1
	ScriptBat        = 2
	ScriptPerl       = 3
	ScriptPython     = 4
	ScriptPowerShell = 5
	ScriptSQL        = 6
)

// Script version statuses (bk-job JobResourceStatusEnum).
const (
	ScriptDraft    = 0 // 未上线: editable, never runs
	ScriptOnline   = 1 // at most one per script; what script_id runs
	ScriptOffline  = 2 // taken offline by a later publish; still runs by version id
	ScriptDisabled = 3 // 禁用: refused everywhere (1244014)
)

// Limits of the script library (bk-job's: names and versions ≤ 60
// characters; a version's content the 5 MiB a step may carry, as
// execute.MaxScriptContentBytes).
const (
	MaxScriptNameLen      = 60
	MaxScriptVersionLen   = 60
	MaxScriptDescLen      = 1024
	MaxScriptContentBytes = 5 * 1024 * 1024
	MaxScriptTags         = 20
	MaxScriptTagLen       = 60
)

// Scripts is a business's script library (bk-job's 业务脚本). Requests
// carry a resolved business; a script of another business is not found.
type Scripts interface {
	// GetScriptList pages through the business's scripts.
	//api:v3 get_script_list
	//api:web
	GetScriptList(ctx context.Context, req GetScriptListRequest) (ScriptPage, error)
	// GetScriptVersionList pages through a script's versions, newest first.
	//api:v3 get_script_version_list
	//api:web
	GetScriptVersionList(ctx context.Context, req GetScriptVersionListRequest) (ScriptVersionPage, error)
	// GetScriptVersionDetail returns one version with its content.
	//api:v3 get_script_version_detail
	//api:web
	GetScriptVersionDetail(ctx context.Context, req GetScriptVersionDetailRequest) (ScriptVersion, error)
	// CreateScript stores a script and its first version (a draft).
	//api:v3 create_script post jobbody
	//api:web
	CreateScript(ctx context.Context, req CreateScriptRequest) (ScriptVersion, error)
	// CreateScriptVersion adds a draft version to a script.
	//api:v3 create_script_version post jobbody
	//api:web
	CreateScriptVersion(ctx context.Context, req CreateScriptVersionRequest) (ScriptVersion, error)
	// UpdateScriptBasic renames a script, changes its description or tags.
	//api:v3 update_script_basic post
	//api:web
	UpdateScriptBasic(ctx context.Context, req UpdateScriptBasicRequest) (Script, error)
	// UpdateScriptVersion changes a draft version's content.
	//api:v3 update_script_version post jobbody
	//api:web
	UpdateScriptVersion(ctx context.Context, req UpdateScriptVersionRequest) (ScriptVersion, error)
	// PublishScriptVersion puts a version online; the online one goes offline.
	//api:v3 publish_script_version post
	//api:web
	PublishScriptVersion(ctx context.Context, req ScriptVersionRequest) (ScriptVersionState, error)
	// DisableScriptVersion disables an online or offline version.
	//api:v3 disable_script_version post
	//api:web
	DisableScriptVersion(ctx context.Context, req ScriptVersionRequest) (ScriptVersionState, error)
	// DeleteScriptVersion deletes a version that is not online (the last
	// one takes the script with it).
	//api:v3 delete_script_version post
	//api:web
	DeleteScriptVersion(ctx context.Context, req ScriptVersionRequest) (*ScriptDeleted, error)
	// DeleteScript deletes a script and all its versions.
	//api:v3 delete_script post
	//api:web
	DeleteScript(ctx context.Context, req DeleteScriptRequest) (*ScriptDeleted, error)
	// ScriptToRun is for the execute role: the version a step runs, named
	// by version id (a business's or a public one) or by script id (its
	// online version), refused unless ONLINE or OFFLINE.
	ScriptToRun(ctx context.Context, req ScriptToRunRequest) (RunnableScript, error)
}

// ScriptRunner is what the execute role asks of the script library.
type ScriptRunner interface {
	ScriptToRun(ctx context.Context, req ScriptToRunRequest) (RunnableScript, error)
}

// PublicScripts is the platform's script library (bk-job's 公共脚本):
// every business reads it, administrators alone change it.
type PublicScripts interface {
	// GetPublicScriptList pages through the public scripts.
	//api:v3 get_public_script_list
	//api:web
	GetPublicScriptList(ctx context.Context, req GetPublicScriptListRequest) (ScriptPage, error)
	// GetPublicScriptVersionList pages through a public script's versions.
	//api:v3 get_public_script_version_list
	//api:web
	GetPublicScriptVersionList(ctx context.Context, req GetPublicScriptVersionListRequest) (ScriptVersionPage, error)
	// GetPublicScriptVersionDetail returns one public version.
	//api:v3 get_public_script_version_detail
	//api:web
	GetPublicScriptVersionDetail(ctx context.Context, req GetPublicScriptVersionDetailRequest) (ScriptVersion, error)
	// CreatePublicScript stores a public script and its first version.
	//api:v3 create_public_script post admin jobbody
	//api:web
	CreatePublicScript(ctx context.Context, req CreatePublicScriptRequest) (ScriptVersion, error)
	// CreatePublicScriptVersion adds a draft version to a public script.
	//api:v3 create_public_script_version post admin jobbody
	//api:web
	CreatePublicScriptVersion(ctx context.Context, req CreatePublicScriptVersionRequest) (ScriptVersion, error)
	// UpdatePublicScriptBasic renames a public script or changes its description.
	//api:v3 update_public_script_basic post admin
	//api:web
	UpdatePublicScriptBasic(ctx context.Context, req UpdatePublicScriptBasicRequest) (Script, error)
	// UpdatePublicScriptVersion changes a draft public version's content.
	//api:v3 update_public_script_version post admin jobbody
	//api:web
	UpdatePublicScriptVersion(ctx context.Context, req UpdatePublicScriptVersionRequest) (ScriptVersion, error)
	// PublishPublicScriptVersion puts a public version online.
	//api:v3 publish_public_script_version post admin
	//api:web
	PublishPublicScriptVersion(ctx context.Context, req PublicScriptVersionRequest) (ScriptVersionState, error)
	// DisablePublicScriptVersion disables a public version.
	//api:v3 disable_public_script_version post admin
	//api:web
	DisablePublicScriptVersion(ctx context.Context, req PublicScriptVersionRequest) (ScriptVersionState, error)
	// DeletePublicScriptVersion deletes a public version that is not online.
	//api:v3 delete_public_script_version post admin
	//api:web
	DeletePublicScriptVersion(ctx context.Context, req PublicScriptVersionRequest) (*ScriptDeleted, error)
	// DeletePublicScript deletes a public script and its versions.
	//api:v3 delete_public_script post admin
	//api:web
	DeletePublicScript(ctx context.Context, req DeletePublicScriptRequest) (*ScriptDeleted, error)
}

// PublicScope is what a public-script request names: no scope. Public
// scripts belong to no business (bk-job's app 0) and bk-job's endpoints
// take no bk_scope_* for them; any signed-in caller may read them and the
// writes are declared admin (api.Shared).
type PublicScope = api.Shared

// Script is a script's basic information (get_script_list's items and
// update_script_basic's answer), with bkjob's tags.
type Script struct {
	ID                    string   `json:"id"`
	ScopeType             string   `json:"bk_scope_type,omitempty"`
	ScopeID               string   `json:"bk_scope_id,omitempty"`
	Name                  string   `json:"name"`
	ScriptLanguage        int      `json:"script_language"`
	OnlineScriptVersionID int64    `json:"online_script_version_id,omitempty"`
	Creator               string   `json:"creator"`
	CreateTime            int64    `json:"create_time"`
	LastModifyUser        string   `json:"last_modify_user"`
	LastModifyTime        int64    `json:"last_modify_time"`
	Description           string   `json:"description"`
	Tags                  []string `json:"tags"` // bkjob extension
	Public                bool     `json:"public,omitempty"`
}

// ScriptVersion is a script version as bk-job answers it. Content is the
// plain text (requests send it base64); lists leave it out unless asked.
type ScriptVersion struct {
	ID             int64  `json:"id"`
	ScopeType      string `json:"bk_scope_type,omitempty"`
	ScopeID        string `json:"bk_scope_id,omitempty"`
	ScriptID       string `json:"script_id"`
	Name           string `json:"name"`
	Version        string `json:"version"`
	Content        string `json:"content,omitempty"`
	Status         int    `json:"status"`
	VersionDesc    string `json:"version_desc"`
	Creator        string `json:"creator"`
	CreateTime     int64  `json:"create_time"`
	LastModifyUser string `json:"last_modify_user"`
	LastModifyTime int64  `json:"last_modify_time"`
	ScriptLanguage int    `json:"script_language"`
	PublicScript   bool   `json:"public_script"`
	Description    string `json:"description"`
}

// ScriptVersionState is publish/disable's answer.
type ScriptVersionState struct {
	ScriptID string `json:"script_id"`
	ID       int64  `json:"id"`
	Status   int    `json:"status"`
}

// ScriptDeleted is the delete calls' answer: bk-job's data is none, so
// they answer a nil pointer (data null).
type ScriptDeleted struct{}

// ScriptPage is a page of scripts, bk-job's page shape.
type ScriptPage = httpx.V3Page[Script]

// ScriptVersionPage is a page of script versions, bk-job's page shape.
type ScriptVersionPage = httpx.V3Page[ScriptVersion]

// ScriptListFilter is get_script_list's filter: name (any part), language
// (0 all), and bkjob's tag (exact) and keyword (any part of the name or of
// any version's content: bk-job's content search).
type ScriptListFilter struct {
	Name           string `json:"name,omitempty"`
	ScriptLanguage int    `json:"script_language,omitempty"`
	Tag            string `json:"tag,omitempty"`
	Keyword        string `json:"keyword,omitempty"`
	Start          int    `json:"start,omitempty"`
	Length         int    `json:"length,omitempty"`
}

// GetScriptListRequest is get_script_list.
type GetScriptListRequest struct {
	ScopeRef
	ScriptListFilter
}

// VersionListFilter is get_script_version_list's.
type VersionListFilter struct {
	ScriptID            string `json:"script_id"`
	ReturnScriptContent bool   `json:"return_script_content,omitempty"`
	Start               int    `json:"start,omitempty"`
	Length              int    `json:"length,omitempty"`
}

// GetScriptVersionListRequest is get_script_version_list.
type GetScriptVersionListRequest struct {
	ScopeRef
	VersionListFilter
}

// VersionLookup names a version: id, or script_id + version.
type VersionLookup struct {
	ID       int64  `json:"id,omitempty"`
	ScriptID string `json:"script_id,omitempty"`
	Version  string `json:"version,omitempty"`
}

// GetScriptVersionDetailRequest is get_script_version_detail.
type GetScriptVersionDetailRequest struct {
	ScopeRef
	VersionLookup
}

// NewScript is what create_script takes: content is base64.
type NewScript struct {
	Name           string   `json:"name"`
	Description    string   `json:"description,omitempty"`
	ScriptLanguage int      `json:"script_language"`
	Content        string   `json:"content"`
	Version        string   `json:"version"`
	VersionDesc    string   `json:"version_desc,omitempty"`
	Tags           []string `json:"tags,omitempty"` // bkjob extension
}

// CreateScriptRequest is create_script.
type CreateScriptRequest struct {
	ScopeRef
	Operator string `json:"operator,omitempty" web:"-"`
	NewScript
}

// NewVersion is what create_script_version takes: content is base64.
type NewVersion struct {
	ScriptID    string `json:"script_id"`
	Content     string `json:"content"`
	Version     string `json:"version"`
	VersionDesc string `json:"version_desc,omitempty"`
}

// CreateScriptVersionRequest is create_script_version.
type CreateScriptVersionRequest struct {
	ScopeRef
	Operator string `json:"operator,omitempty" web:"-"`
	NewVersion
}

// ScriptBasic is what update_script_basic takes; a nil description or
// tags keeps what is stored.
type ScriptBasic struct {
	ScriptID    string    `json:"script_id"`
	Name        string    `json:"name"`
	Description *string   `json:"description,omitempty"`
	Tags        *[]string `json:"tags,omitempty"` // bkjob extension
}

// UpdateScriptBasicRequest is update_script_basic.
type UpdateScriptBasicRequest struct {
	ScopeRef
	Operator string `json:"operator,omitempty" web:"-"`
	ScriptBasic
}

// VersionContent is what update_script_version takes: content is base64;
// a nil description keeps what is stored.
type VersionContent struct {
	ScriptID        string  `json:"script_id"`
	ScriptVersionID int64   `json:"script_version_id"`
	Content         string  `json:"content"`
	VersionDesc     *string `json:"version_desc,omitempty"`
}

// UpdateScriptVersionRequest is update_script_version.
type UpdateScriptVersionRequest struct {
	ScopeRef
	Operator string `json:"operator,omitempty" web:"-"`
	VersionContent
}

// VersionRef names a version of a script.
type VersionRef struct {
	ScriptID        string `json:"script_id"`
	ScriptVersionID int64  `json:"script_version_id"`
}

// ScriptVersionRequest is publish/disable/delete_script_version.
type ScriptVersionRequest struct {
	ScopeRef
	Operator string `json:"operator,omitempty" web:"-"`
	VersionRef
}

// DeleteScriptRequest is delete_script. (bk-job's doc types script_id
// long; it is the 32-character string id everywhere else.)
type DeleteScriptRequest struct {
	ScopeRef
	Operator string `json:"operator,omitempty" web:"-"`
	ScriptID string `json:"script_id"`
}

// The public family: the same fields, no business.
type (
	// GetPublicScriptListRequest is get_public_script_list.
	GetPublicScriptListRequest struct {
		PublicScope
		ScriptListFilter
	}
	// GetPublicScriptVersionListRequest is get_public_script_version_list.
	GetPublicScriptVersionListRequest struct {
		PublicScope
		VersionListFilter
	}
	// GetPublicScriptVersionDetailRequest is get_public_script_version_detail.
	GetPublicScriptVersionDetailRequest struct {
		PublicScope
		VersionLookup
	}
	// CreatePublicScriptRequest is create_public_script.
	CreatePublicScriptRequest struct {
		PublicScope
		Operator string `json:"operator,omitempty" web:"-"`
		NewScript
	}
	// CreatePublicScriptVersionRequest is create_public_script_version.
	CreatePublicScriptVersionRequest struct {
		PublicScope
		Operator string `json:"operator,omitempty" web:"-"`
		NewVersion
	}
	// UpdatePublicScriptBasicRequest is update_public_script_basic.
	UpdatePublicScriptBasicRequest struct {
		PublicScope
		Operator string `json:"operator,omitempty" web:"-"`
		ScriptBasic
	}
	// UpdatePublicScriptVersionRequest is update_public_script_version.
	UpdatePublicScriptVersionRequest struct {
		PublicScope
		Operator string `json:"operator,omitempty" web:"-"`
		VersionContent
	}
	// PublicScriptVersionRequest is publish/disable/delete_public_script_version.
	PublicScriptVersionRequest struct {
		PublicScope
		Operator string `json:"operator,omitempty" web:"-"`
		VersionRef
	}
	// DeletePublicScriptRequest is delete_public_script.
	DeletePublicScriptRequest struct {
		PublicScope
		Operator string `json:"operator,omitempty" web:"-"`
		ScriptID string `json:"script_id"`
	}
)

// ScriptToRunRequest names what a step runs, in bk-job's priority:
// ScriptVersionID, else ScriptID's online version. Fields are the request
// fields the errors name.
type ScriptToRunRequest struct {
	BizID           int64  `json:"bk_biz_id"`
	ScriptID        string `json:"script_id,omitempty"`
	ScriptVersionID int64  `json:"script_version_id,omitempty"`
}

// RunnableScript is the version a step runs and what the task records.
type RunnableScript struct {
	ScriptID        string `json:"script_id"`
	ScriptVersionID int64  `json:"script_version_id"`
	Version         string `json:"version"`
	Language        int    `json:"script_language"`
	Content         string `json:"content"`
	Public          bool   `json:"public"`
}

// Sentinel errors of the script library, with bk-job's codes
// (platform/httpx/v3_codes.go).
var (
	// ErrScriptNotFound: no such script in the business (1243001).
	ErrScriptNotFound = errs.New("script.notFound", http.StatusNotFound, "script not found")
	// ErrScriptVersionNotFound: no such version of the script (1243047).
	ErrScriptVersionNotFound = errs.New("scriptVersion.notFound", http.StatusNotFound, "script version not found")
	// ErrScriptNameExists: the business has a script of that name (1243002).
	ErrScriptNameExists = errs.New("script.nameExists", http.StatusConflict, "script name already exists")
	// ErrScriptVersionExists: the script has a version of that name (1243036).
	ErrScriptVersionExists = errs.New("scriptVersion.exists", http.StatusConflict, "script version already exists")
	// ErrScriptVersionState: the version's status forbids the change (1241003).
	ErrScriptVersionState = errs.New("scriptVersion.state", http.StatusConflict, "not allowed in the version's status")
	// ErrDeleteOnlineScript: an online version cannot be deleted (1243005).
	ErrDeleteOnlineScript = errs.New("scriptVersion.deleteOnline", http.StatusConflict, "an online script version cannot be deleted")
	// ErrScriptDisabled: a disabled version never runs (1244014).
	ErrScriptDisabled = errs.New("script.disabled", http.StatusBadRequest, "the script version is disabled and cannot be executed")
	// ErrScriptNotExecutable: a draft, or a script with no online version (1244018).
	ErrScriptNotExecutable = errs.New("script.notExecutable", http.StatusBadRequest, "the script version is not in an executable status")
)
