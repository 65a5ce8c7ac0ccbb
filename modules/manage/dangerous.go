package manage

import (
	"context"
	"net/http"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// DangerousRules are bk-job's high-risk (dangerous) statement rules: a
// platform-wide list administrators keep (bkjob.md §2.11). Every rule
// endpoint is for administrators (the admin marker); their requests name
// no scope, the platform. check_script is a business's: any user of it may
// check a script.
type DangerousRules interface {
	// CreateDangerousRule adds a rule, disabled, last in the order.
	//api:v3 create_dangerous_rule post admin
	//api:web
	CreateDangerousRule(ctx context.Context, req CreateDangerousRuleRequest) (DangerousRule, error)
	// UpdateDangerousRule replaces a rule's expression, languages,
	// description and action.
	//api:v3 update_dangerous_rule post admin
	//api:web
	UpdateDangerousRule(ctx context.Context, req UpdateDangerousRuleRequest) (DangerousRule, error)
	// DeleteDangerousRule removes a rule (its records stay).
	//api:v3 delete_dangerous_rule post admin
	//api:web
	DeleteDangerousRule(ctx context.Context, req DangerousRuleRef) (DangerousRuleDeleted, error)
	// EnableDangerousRule makes a rule apply.
	//api:v3 enable_dangerous_rule post admin
	//api:web
	EnableDangerousRule(ctx context.Context, req DangerousRuleRef) (DangerousRuleStatus, error)
	// DisableDangerousRule stops a rule from applying.
	//api:v3 disable_dangerous_rule post admin
	//api:web
	DisableDangerousRule(ctx context.Context, req DangerousRuleRef) (DangerousRuleStatus, error)
	// GetDangerousRuleList returns the rules in their order, filtered.
	//api:v3 get_dangerous_rule_list admin
	//api:web
	GetDangerousRuleList(ctx context.Context, req GetDangerousRuleListRequest) ([]DangerousRule, error)
	// MoveDangerousRule moves a rule one place up or down the order.
	//api:v3 move_dangerous_rule post admin extension
	//api:web
	MoveDangerousRule(ctx context.Context, req MoveDangerousRuleRequest) ([]DangerousRule, error)
	// ListDangerousRecords pages through the scan and interception
	// records, newest first.
	//api:v3 list_dangerous_records admin extension
	//api:web
	ListDangerousRecords(ctx context.Context, req ListDangerousRecordsRequest) (DangerousRecordPage, error)
	// TestDangerousRule tries an expression on a sample script without
	// saving anything: the rule form's live test, matched by the server's
	// engine (RE2), so what it shows is what a run will see.
	//api:v3 test_dangerous_rule post admin extension
	//api:web
	TestDangerousRule(ctx context.Context, req TestDangerousRuleRequest) ([]ScriptCheckItem, error)
	// CheckScript checks a script (grammar, built-in patterns, the enabled
	// rules) and records nothing.
	//api:v3 check_script post jobbody
	//api:web
	CheckScript(ctx context.Context, req CheckScriptRequest) ([]ScriptCheckItem, error)
}

// Rule actions and statuses (bk-job DangerousRuleActionEnum, status).
const (
	DangerousActionScan      = 1
	DangerousActionIntercept = 2
	DangerousRuleDisabled    = 0
	DangerousRuleEnabled     = 1
)

// MaxDangerousRuleDescription bounds a rule's description (characters).
const MaxDangerousRuleDescription = 500

// DangerousRule is a rule, bk-job's fields (times in ms).
type DangerousRule struct {
	ID                 int64  `json:"id"`
	Expression         string `json:"expression"`
	ScriptLanguageList []int  `json:"script_language_list"`
	Description        string `json:"description"`
	Action             int    `json:"action"`
	Status             int    `json:"status"`
	Creator            string `json:"creator"`
	CreateTime         int64  `json:"create_time"`
	LastModifyUser     string `json:"last_modify_user"`
	LastModifyTime     int64  `json:"last_modify_time"`
}

// CreateDangerousRuleRequest is create_dangerous_rule. Rules are the
// platform's: the request names no scope (api.Platform).
type CreateDangerousRuleRequest struct {
	api.Platform
	Operator           string `json:"operator,omitempty" web:"-"`
	Expression         string `json:"expression"`
	ScriptLanguageList []int  `json:"script_language_list"`
	Description        string `json:"description"`
	Action             int    `json:"action"`
}

// UpdateDangerousRuleRequest is update_dangerous_rule.
type UpdateDangerousRuleRequest struct {
	api.Platform
	Operator           string `json:"operator,omitempty" web:"-"`
	ID                 int64  `json:"id"`
	Expression         string `json:"expression"`
	ScriptLanguageList []int  `json:"script_language_list"`
	Description        string `json:"description"`
	Action             int    `json:"action"`
}

// DangerousRuleRef names a rule: delete, enable, disable.
type DangerousRuleRef struct {
	api.Platform
	Operator string `json:"operator,omitempty" web:"-"`
	ID       int64  `json:"id"`
}

// DangerousRuleStatus is enable's and disable's answer.
type DangerousRuleStatus struct {
	ID     int64 `json:"id"`
	Status int   `json:"status"`
}

// DangerousRuleDeleted is delete's answer (bk-job answers no data; bkjob
// names the rule removed).
type DangerousRuleDeleted struct {
	ID int64 `json:"id"`
}

// GetDangerousRuleListRequest is get_dangerous_rule_list: every filter is
// optional; expression and description keep rules containing the text,
// script_language_list rules for any of them, action rules of that action.
type GetDangerousRuleListRequest struct {
	api.Platform
	Expression         string `json:"expression,omitempty"`
	ScriptLanguageList []int  `json:"script_language_list,omitempty"`
	Description        string `json:"description,omitempty"`
	Action             int    `json:"action,omitempty"`
}

// MoveDangerousRuleRequest is move_dangerous_rule (a bkjob extension):
// dir -1 moves the rule up (checked earlier), 1 down.
type MoveDangerousRuleRequest struct {
	api.Platform
	Operator string `json:"operator,omitempty" web:"-"`
	ID       int64  `json:"id"`
	Dir      int    `json:"dir"`
}

// ListDangerousRecordsRequest is list_dangerous_records (a bkjob
// extension): filters are optional; times are ms, inclusive; rule_id,
// action and script_language exact; operator exact; record_scope_* a
// business the records were made in (the request itself names no scope). Start and Length page (default 20, at most 1000).
type ListDangerousRecordsRequest struct {
	api.Platform
	RuleID          int64  `json:"rule_id,omitempty"`
	Action          int    `json:"action,omitempty"`
	ScriptLanguage  int    `json:"script_language,omitempty"`
	Operator        string `json:"operator,omitempty"`
	RecordScopeType string `json:"record_scope_type,omitempty"`
	RecordScopeID   string `json:"record_scope_id,omitempty"`
	StartTime       int64  `json:"start_time,omitempty"`
	EndTime         int64  `json:"end_time,omitempty"`
	Start           int    `json:"start,omitempty"`
	Length          int    `json:"length,omitempty"`
}

// DangerousRecord is one scan or interception: who ran what where, which
// rule matched and what was done (bk-job's dangerous_record).
type DangerousRecord struct {
	ID             int64             `json:"id"`
	RuleID         int64             `json:"rule_id"`
	RuleExpression string            `json:"rule_expression"`
	Description    string            `json:"description"`
	ScopeType      string            `json:"bk_scope_type"`
	ScopeID        string            `json:"bk_scope_id"`
	ScopeName      string            `json:"scope_name"`
	Operator       string            `json:"operator"`
	AppCode        string            `json:"app_code"`
	StartupMode    int               `json:"startup_mode"`
	ScriptLanguage int               `json:"script_language"`
	Content        string            `json:"script_content"`
	Action         int               `json:"action"`
	CheckResult    []ScriptCheckItem `json:"check_result"`
	CreateTime     int64             `json:"create_time"`
}

// DangerousRecordPage is one page of records, bk-job's page shape.
type DangerousRecordPage = httpx.V3Page[DangerousRecord]

// CheckScriptRequest is check_script: content is base64, as bk-job's.
type CheckScriptRequest struct {
	ScopeRef
	ScriptLanguage int    `json:"script_language"`
	Content        string `json:"content"`
}

// TestDangerousRuleRequest is test_dangerous_rule (a bkjob extension):
// the expression and action as the rule would have them, and a sample
// script in plain text (at most MaxDangerousRuleSample bytes).
type TestDangerousRuleRequest struct {
	api.Platform
	Expression string `json:"expression"`
	Action     int    `json:"action"`
	Content    string `json:"content"`
}

// MaxDangerousRuleSample bounds test_dangerous_rule's sample.
const MaxDangerousRuleSample = 64 << 10

// ScriptCheckItem is one finding: bk-job's check_script item (level 1
// warning, 2 error, 3 fatal).
type ScriptCheckItem struct {
	Line         int    `json:"line"`
	LineContent  string `json:"line_content"`
	MatchContent string `json:"match_content"`
	Level        int    `json:"level"`
	Description  string `json:"description"`
}

// ScriptRunCheck is a script about to run (execute asks before it creates
// a script job): the business it runs in, who runs it and how, the script
// in clear.
type ScriptRunCheck struct {
	BizID          int64  `json:"bk_biz_id"`
	Operator       string `json:"operator"`
	AppCode        string `json:"app_code,omitempty"`
	StartupMode    int    `json:"startup_mode"`
	ScriptLanguage int    `json:"script_language"`
	Content        string `json:"content"`
}

// ScriptRunVerdict is what the rules say of a script about to run. Scan
// hits are warnings; the run goes on.
type ScriptRunVerdict struct {
	Warnings []ScriptCheckItem `json:"warnings,omitempty"`
}

// Sentinel errors of the rules.
var (
	// ErrDangerousRuleNotFound: no rule with that id.
	ErrDangerousRuleNotFound = errs.New("dangerousRule.notFound", http.StatusNotFound, "dangerous rule not found")
	// ErrDangerousScript refuses a run an intercept rule matched
	// (bk-job's 1244019 DANGEROUS_SCRIPT_FORBIDDEN_EXECUTION); the message
	// names the rule.
	ErrDangerousScript = errs.New("execute.dangerousScript", http.StatusForbidden, "the script matches a dangerous rule and may not run")
)
