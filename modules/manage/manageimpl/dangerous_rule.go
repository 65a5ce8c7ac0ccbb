package manageimpl

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/modules/manage/scriptcheck"
	"github.com/bkjob/bkjob/platform/errs"
)

// ruleInput is what create and update check alike.
type ruleInput struct {
	expression  string
	languages   []int
	description string
	action      int
}

// check validates a rule as bk-job's form does, naming the field at fault.
func (in *ruleInput) check() error {
	in.expression = strings.TrimSpace(in.expression)
	if _, err := scriptcheck.CompileExpression("expression", in.expression); err != nil {
		return err
	}
	if len(in.languages) == 0 {
		return errs.Required("script_language_list").Withf("is required: at least one of 1 shell, 2 bat, 3 perl, 4 python, 5 powershell, 6 sql")
	}
	seen := map[int]bool{}
	var langs []int
	for _, l := range in.languages {
		if l < scriptcheck.LangShell || l > scriptcheck.LangSQL {
			return errs.Invalid("script_language_list", "languages are 1 shell … 6 sql, got %d", l)
		}
		if !seen[l] {
			seen[l] = true
			langs = append(langs, l)
		}
	}
	in.languages = langs
	in.description = strings.TrimSpace(in.description)
	switch n := utf8.RuneCountInString(in.description); {
	case in.description == "":
		return errs.Required("description").Withf("is required: what the rule guards against (shown to whoever it stops)")
	case !utf8.ValidString(in.description):
		return errs.Invalid("description", "must be UTF-8 text")
	case n > manage.MaxDangerousRuleDescription:
		return errs.Invalid("description", "at most %d characters, got %d", manage.MaxDangerousRuleDescription, n)
	}
	if in.action != manage.DangerousActionScan && in.action != manage.DangerousActionIntercept {
		return errs.Invalid("action", "must be 1 (scan) or 2 (intercept), got %d", in.action)
	}
	return nil
}

func toDangerousRule(r dangerRule) manage.DangerousRule {
	return manage.DangerousRule{ID: r.ID, Expression: r.Expression, ScriptLanguageList: languagesOf(r.ScriptLanguages),
		Description: r.Description, Action: r.Action, Status: r.Status, Creator: r.Creator, CreateTime: r.CreatedAt.UnixMilli(),
		LastModifyUser: r.LastModifyUser, LastModifyTime: r.UpdatedAt.UnixMilli()}
}

// ruleErr turns a missing row into ErrDangerousRuleNotFound on id.
func ruleErr(id int64, err error) error {
	if errors.Is(err, errNoRow) {
		return manage.ErrDangerousRuleNotFound.Withf("no dangerous rule %d", id).OnField("id")
	}
	return err
}

func checkRuleID(id int64) error {
	if id <= 0 {
		return errs.Required("id").Withf("is required: a dangerous rule id")
	}
	return nil
}

// CreateDangerousRule implements manage.DangerousRules. A new rule starts
// disabled, as bk-job's: an administrator enables it once it is right.
func (s *Service) CreateDangerousRule(ctx context.Context, req manage.CreateDangerousRuleRequest) (manage.DangerousRule, error) {
	in := ruleInput{expression: req.Expression, languages: req.ScriptLanguageList, description: req.Description, action: req.Action}
	if err := in.check(); err != nil {
		return manage.DangerousRule{}, err
	}
	now := time.Now()
	r, err := s.dr.createRule(ctx, dangerRule{Expression: in.expression, ScriptLanguages: languagesColumn(in.languages),
		Description: in.description, Action: in.action, Status: manage.DangerousRuleDisabled,
		Creator: req.Operator, LastModifyUser: req.Operator, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return manage.DangerousRule{}, err
	}
	s.log.Info("dangerous rule created", "id", r.ID, "operator", req.Operator, "action", r.Action)
	return toDangerousRule(r), nil
}

// UpdateDangerousRule implements manage.DangerousRules.
func (s *Service) UpdateDangerousRule(ctx context.Context, req manage.UpdateDangerousRuleRequest) (manage.DangerousRule, error) {
	if err := checkRuleID(req.ID); err != nil {
		return manage.DangerousRule{}, err
	}
	in := ruleInput{expression: req.Expression, languages: req.ScriptLanguageList, description: req.Description, action: req.Action}
	if err := in.check(); err != nil {
		return manage.DangerousRule{}, err
	}
	err := s.dr.updateRule(ctx, req.ID, map[string]any{"expression": in.expression, "script_languages": languagesColumn(in.languages),
		"description": in.description, "action": in.action, "last_modify_user": req.Operator, "updated_at": time.Now()})
	if err != nil {
		return manage.DangerousRule{}, ruleErr(req.ID, err)
	}
	s.log.Info("dangerous rule updated", "id", req.ID, "operator", req.Operator)
	r, err := s.dr.rule(ctx, req.ID)
	return toDangerousRule(r), ruleErr(req.ID, err)
}

// DeleteDangerousRule implements manage.DangerousRules.
func (s *Service) DeleteDangerousRule(ctx context.Context, req manage.DangerousRuleRef) (manage.DangerousRuleDeleted, error) {
	if err := checkRuleID(req.ID); err != nil {
		return manage.DangerousRuleDeleted{}, err
	}
	if err := s.dr.deleteRule(ctx, req.ID); err != nil {
		return manage.DangerousRuleDeleted{}, ruleErr(req.ID, err)
	}
	s.log.Info("dangerous rule deleted", "id", req.ID, "operator", req.Operator)
	return manage.DangerousRuleDeleted{ID: req.ID}, nil
}

// EnableDangerousRule implements manage.DangerousRules.
func (s *Service) EnableDangerousRule(ctx context.Context, req manage.DangerousRuleRef) (manage.DangerousRuleStatus, error) {
	return s.setRuleStatus(ctx, req, manage.DangerousRuleEnabled)
}

// DisableDangerousRule implements manage.DangerousRules.
func (s *Service) DisableDangerousRule(ctx context.Context, req manage.DangerousRuleRef) (manage.DangerousRuleStatus, error) {
	return s.setRuleStatus(ctx, req, manage.DangerousRuleDisabled)
}

func (s *Service) setRuleStatus(ctx context.Context, req manage.DangerousRuleRef, status int) (manage.DangerousRuleStatus, error) {
	if err := checkRuleID(req.ID); err != nil {
		return manage.DangerousRuleStatus{}, err
	}
	err := s.dr.updateRule(ctx, req.ID, map[string]any{"status": status, "last_modify_user": req.Operator, "updated_at": time.Now()})
	if err != nil {
		return manage.DangerousRuleStatus{}, ruleErr(req.ID, err)
	}
	s.log.Info("dangerous rule status set", "id", req.ID, "status", status, "operator", req.Operator)
	return manage.DangerousRuleStatus{ID: req.ID, Status: status}, nil
}

// GetDangerousRuleList implements manage.DangerousRules.
func (s *Service) GetDangerousRuleList(ctx context.Context, req manage.GetDangerousRuleListRequest) ([]manage.DangerousRule, error) {
	expr, err := checkFilter("expression", req.Expression)
	if err != nil {
		return nil, err
	}
	desc, err := checkFilter("description", req.Description)
	if err != nil {
		return nil, err
	}
	if req.Action != 0 && req.Action != manage.DangerousActionScan && req.Action != manage.DangerousActionIntercept {
		return nil, errs.Invalid("action", "must be 1 (scan) or 2 (intercept), got %d", req.Action)
	}
	rows, err := s.dr.rules(ctx)
	if err != nil {
		return nil, err
	}
	out := []manage.DangerousRule{}
	for _, r := range rows {
		d := toDangerousRule(r)
		if ruleMatches(d, expr, desc, req.Action, req.ScriptLanguageList) {
			out = append(out, d)
		}
	}
	return out, nil
}

// ruleMatches applies get_dangerous_rule_list's filters (the list is
// short: a platform keeps tens of rules, so it is filtered here).
func ruleMatches(d manage.DangerousRule, expr, desc string, action int, langs []int) bool {
	if expr != "" && !strings.Contains(d.Expression, expr) || desc != "" && !strings.Contains(d.Description, desc) {
		return false
	}
	if action != 0 && d.Action != action {
		return false
	}
	if len(langs) == 0 {
		return true
	}
	for _, l := range langs {
		for _, m := range d.ScriptLanguageList {
			if l == m {
				return true
			}
		}
	}
	return false
}

// MoveDangerousRule implements manage.DangerousRules.
func (s *Service) MoveDangerousRule(ctx context.Context, req manage.MoveDangerousRuleRequest) ([]manage.DangerousRule, error) {
	if err := checkRuleID(req.ID); err != nil {
		return nil, err
	}
	if req.Dir != -1 && req.Dir != 1 {
		return nil, errs.Invalid("dir", "must be -1 (up) or 1 (down), got %d", req.Dir)
	}
	if err := s.dr.moveRule(ctx, req.ID, req.Dir, req.Operator); err != nil {
		return nil, ruleErr(req.ID, err)
	}
	s.log.Info("dangerous rule moved", "id", req.ID, "dir", req.Dir, "operator", req.Operator)
	return s.GetDangerousRuleList(ctx, manage.GetDangerousRuleListRequest{})
}
