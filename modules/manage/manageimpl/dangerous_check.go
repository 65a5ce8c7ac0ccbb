package manageimpl

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/modules/manage/scriptcheck"
	"github.com/bkjob/bkjob/platform/errs"
)

// maxConcurrentChecks bounds the full checks (each may start a `bash -n`)
// running at once in this process; more wait their turn or their
// request's end.
const maxConcurrentChecks = 4

// recordExcerptChars is how much of a script a record keeps.
const recordExcerptChars = 4096

// checkLanguage refuses a language outside bk-job's six.
func checkLanguage(field string, lang int) error {
	if lang < scriptcheck.LangShell || lang > scriptcheck.LangSQL {
		return errs.Invalid(field, "must be 1 shell, 2 bat, 3 perl, 4 python, 5 powershell or 6 sql, got %d", lang)
	}
	return nil
}

// enabledRules compiles the enabled rules, in order.
func (s *Service) enabledRules(ctx context.Context) ([]scriptcheck.CompiledRule, error) {
	rows, err := s.dr.enabledRules(ctx)
	if err != nil {
		return nil, err
	}
	rules := make([]scriptcheck.Rule, 0, len(rows))
	for _, r := range rows {
		rules = append(rules, scriptcheck.Rule{ID: r.ID, Expression: r.Expression, Languages: languagesOf(r.ScriptLanguages),
			Description: r.Description, Action: r.Action})
	}
	compiled, bad := scriptcheck.Compile(rules)
	if len(bad) > 0 {
		s.log.Warn("dangerous rules skipped: expression does not compile", "ids", bad)
	}
	return compiled, nil
}

func toItems(rs []scriptcheck.Result) []manage.ScriptCheckItem {
	out := make([]manage.ScriptCheckItem, 0, len(rs))
	for _, r := range rs {
		out = append(out, manage.ScriptCheckItem{Line: r.Line, LineContent: r.LineContent, MatchContent: r.MatchContent,
			Level: r.Level, Description: r.Description})
	}
	return out
}

// CheckScript implements manage.DangerousRules: the grammar (shell), the
// built-in patterns and the enabled rules, nothing recorded.
func (s *Service) CheckScript(ctx context.Context, req manage.CheckScriptRequest) ([]manage.ScriptCheckItem, error) {
	if err := checkLanguage("script_language", req.ScriptLanguage); err != nil {
		return nil, err
	}
	if req.Content == "" {
		return nil, errs.Required("content").Withf("is required: the script, base64")
	}
	if base64.StdEncoding.DecodedLen(len(req.Content)) > scriptcheck.MaxContentBytes+3 {
		return nil, errs.Invalid("content", "at most %d bytes before base64", scriptcheck.MaxContentBytes)
	}
	content, err := base64.StdEncoding.DecodeString(req.Content)
	if err != nil {
		return nil, errs.Invalid("content", "must be base64 (standard alphabet, padded)")
	}
	if len(content) > scriptcheck.MaxContentBytes {
		return nil, errs.Invalid("content", "at most %d bytes before base64, got %d", scriptcheck.MaxContentBytes, len(content))
	}
	rules, err := s.enabledRules(ctx)
	if err != nil {
		return nil, err
	}
	select {
	case s.checkSlots <- struct{}{}:
		defer func() { <-s.checkSlots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a script check: %w", ctx.Err())
	}
	return toItems(s.checker.Check(ctx, req.ScriptLanguage, content, rules)), nil
}

// CheckScriptRun implements manage.Service: the enabled rules only (the
// grammar and built-in patterns advise, they never block), one record per
// rule that matched, then ErrDangerousScript naming the first intercept
// rule in the order, if any.
func (s *Service) CheckScriptRun(ctx context.Context, req manage.ScriptRunCheck) (manage.ScriptRunVerdict, error) {
	if req.BizID <= 0 {
		return manage.ScriptRunVerdict{}, errs.Required("bk_scope_id")
	}
	if err := checkLanguage("script_language", req.ScriptLanguage); err != nil {
		return manage.ScriptRunVerdict{}, err
	}
	rules, err := s.enabledRules(ctx)
	if err != nil || len(rules) == 0 {
		return manage.ScriptRunVerdict{}, err
	}
	hits := scriptcheck.MatchRules(req.ScriptLanguage, []byte(req.Content), rules)
	if len(hits) == 0 {
		return manage.ScriptRunVerdict{}, nil
	}
	recs, err := s.recordHits(ctx, req, rules, hits)
	if err != nil {
		return manage.ScriptRunVerdict{}, err
	}
	var verdict manage.ScriptRunVerdict
	for _, h := range hits {
		if h.Action == scriptcheck.ActionScan {
			verdict.Warnings = append(verdict.Warnings, toItems([]scriptcheck.Result{h})...)
		}
	}
	for _, r := range rules { // the order decides which rule is named
		if r.Action != scriptcheck.ActionIntercept {
			continue
		}
		for _, h := range hits {
			if h.RuleID == r.ID {
				s.log.Warn("script intercepted by a dangerous rule", "rule", r.ID, "biz", req.BizID, "operator", req.Operator, "records", recs)
				return manage.ScriptRunVerdict{}, manage.ErrDangerousScript.Withf(
					"line %d matches dangerous rule %d %q (expression %s): the script may not run", h.Line, r.ID, r.Description, r.Expression)
			}
		}
	}
	return verdict, nil
}

// recordHits writes one record per matched rule.
func (s *Service) recordHits(ctx context.Context, req manage.ScriptRunCheck, rules []scriptcheck.CompiledRule, hits []scriptcheck.Result) (int, error) {
	byRule := map[int64][]scriptcheck.Result{}
	for _, h := range hits {
		byRule[h.RuleID] = append(byRule[h.RuleID], h)
	}
	excerpt := []rune(strings.ToValidUTF8(req.Content, "\uFFFD"))
	if len(excerpt) > recordExcerptChars {
		excerpt = excerpt[:recordExcerptChars]
	}
	now := time.Now()
	var recs []dangerRecord
	for _, r := range rules {
		rh := byRule[r.ID]
		if len(rh) == 0 {
			continue
		}
		result, err := json.Marshal(toItems(rh))
		if err != nil {
			return 0, fmt.Errorf("encode check result: %w", err)
		}
		recs = append(recs, dangerRecord{RuleID: r.ID, RuleExpression: r.Expression, Description: r.Description, BizID: req.BizID,
			Operator: req.Operator, AppCode: req.AppCode, StartupMode: req.StartupMode, ScriptLanguage: req.ScriptLanguage,
			Content: string(excerpt), Action: r.Action, CheckResult: string(result), CreatedAt: now})
	}
	return len(recs), s.dr.addRecords(ctx, recs)
}

// TestDangerousRule implements manage.DangerousRules: the expression
// compiled as a rule's would be, matched on the sample, nothing stored.
func (s *Service) TestDangerousRule(_ context.Context, req manage.TestDangerousRuleRequest) ([]manage.ScriptCheckItem, error) {
	expr := strings.TrimSpace(req.Expression)
	if _, err := scriptcheck.CompileExpression("expression", expr); err != nil {
		return nil, err
	}
	if len(req.Content) > manage.MaxDangerousRuleSample {
		return nil, errs.Invalid("content", "at most %d bytes, got %d", manage.MaxDangerousRuleSample, len(req.Content))
	}
	action := req.Action
	if action != manage.DangerousActionIntercept {
		action = manage.DangerousActionScan
	}
	rules, _ := scriptcheck.Compile([]scriptcheck.Rule{{ID: 1, Expression: expr, Languages: []int{scriptcheck.LangShell}, Action: action}})
	return toItems(scriptcheck.MatchRules(scriptcheck.LangShell, []byte(req.Content), rules)), nil
}
