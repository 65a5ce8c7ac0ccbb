package manage

import (
	"context"

	"github.com/bkjob/bkjob/platform/api"
)

// GlobalSettings are bk-job's 全局设置: what platform administrators set
// for everyone. Every signed-in caller reads them (the UI shows the
// platform's title, footer and help link, checks names and uploads as the
// server will, and starts new scripts from the templates); only
// administrators change them. bk-job serves these from its web service
// only, so both endpoints are bkjob extensions. Notification channels and
// history retention come with the issues that build them.
type GlobalSettings interface {
	// GetGlobalSettings returns the settings, the built-in defaults where
	// an administrator set nothing.
	//api:v3 get_global_settings extension
	//api:web
	GetGlobalSettings(ctx context.Context, req GetGlobalSettingsRequest) (GlobalSettingsInfo, error)
	// UpdateGlobalSettings replaces the sections the request carries and
	// leaves the others as they are.
	//api:v3 update_global_settings post admin extension
	//api:web
	UpdateGlobalSettings(ctx context.Context, req UpdateGlobalSettingsRequest) (GlobalSettingsInfo, error)
}

// Limits of the settings.
const (
	MaxPlatformTitleLen   = 64
	MaxPlatformFooterLen  = 256
	MaxHelpLinkLen        = 512
	MaxNameRuleLen        = 256
	MaxNameRuleDescLen    = 256
	MaxUploadExtensions   = 100
	MaxUploadExtensionLen = 16
	MaxScriptTemplateLen  = 64 << 10
	// MaxUploadSizeBytes is push_config_file's own bound on a file
	// (execute.MaxConfigFileBytes): its content travels in the request
	// body, so the setting may lower the limit, not raise it. It is also
	// the default.
	MaxUploadSizeBytes = 5 << 20
)

// Upload extension modes: bk-job restricts a local file's extension by an
// allow list or by a deny list.
const (
	UploadExtensionsAny   = "any"
	UploadExtensionsAllow = "allow"
	UploadExtensionsDeny  = "deny"
)

// GetGlobalSettingsRequest names no scope: the settings are the
// platform's, shared with every signed-in caller.
type GetGlobalSettingsRequest struct {
	api.Shared
}

// GlobalSettingsInfo is every setting. UpdateTime is Unix ms, 0 (and
// UpdatedBy empty) while nothing was ever set.
type GlobalSettingsInfo struct {
	PlatformInfo     PlatformInfo       `json:"platform_info"`
	FileUpload       FileUploadSettings `json:"file_upload"`
	AccountNameRules []AccountNameRule  `json:"account_name_rules"`
	ScriptTemplates  []ScriptTemplate   `json:"script_templates"`
	UpdatedBy        string             `json:"last_modify_user"`
	UpdateTime       int64              `json:"last_modify_time"`
}

// PlatformInfo is what the UI shows of the platform: its title (top bar
// and window), a footer line and where the help menu points. Empty means
// the built-in text.
type PlatformInfo struct {
	Title    string `json:"title"`
	Footer   string `json:"footer"`
	HelpLink string `json:"help_link"`
}

// FileUploadSettings limit a file pushed from the request
// (push_config_file): its size, and its extension by an allow or a deny
// list (extensions without the dot, lower-case, matched
// case-insensitively; a name without an extension matches "").
type FileUploadSettings struct {
	MaxSizeBytes  int64    `json:"max_size_bytes"`
	ExtensionMode string   `json:"extension_mode"`
	ExtensionList []string `json:"extension_list"`
}

// AccountNameRule is the rule an account name of one type must follow, an
// RE2 expression matched against the whole name. An empty expression is
// the built-in rule (AccountNameRuleDefault).
type AccountNameRule struct {
	AccountType int    `json:"account_type"`
	Expression  string `json:"expression"`
	Description string `json:"description"`
}

// ScriptTemplate is the content a new script of a language starts with.
type ScriptTemplate struct {
	ScriptLanguage int    `json:"script_language"`
	Content        string `json:"content"`
}

// UploadCheck is a request's files to check against the upload settings
// (CheckUploads); Field names the request's file list, e.g. "file_list".
type UploadCheck struct {
	Field string         `json:"field"`
	Files []UploadedFile `json:"files"`
}

// UploadedFile is one file of an UploadCheck.
type UploadedFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// UploadsAllowed is CheckUploads' answer when every file passed.
type UploadsAllowed struct {
	Checked int `json:"checked"`
}

// UpdateGlobalSettingsRequest carries the sections to replace; an absent
// section stays. AccountNameRules and ScriptTemplates replace the rules
// and templates of the types and languages they name.
type UpdateGlobalSettingsRequest struct {
	api.Shared
	Operator         string              `json:"operator,omitempty" web:"-"`
	PlatformInfo     *PlatformInfo       `json:"platform_info,omitempty"`
	FileUpload       *FileUploadSettings `json:"file_upload,omitempty"`
	AccountNameRules []AccountNameRule   `json:"account_name_rules,omitempty"`
	ScriptTemplates  []ScriptTemplate    `json:"script_templates,omitempty"`
}

// TakeActor records the caller as the operator; the door calls it.
func (r *UpdateGlobalSettingsRequest) TakeActor(username, _ string, _ api.Surface) {
	r.Operator = username
}
