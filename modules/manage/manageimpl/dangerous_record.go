package manageimpl

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// ListDangerousRecords implements manage.DangerousRules.
func (s *Service) ListDangerousRecords(ctx context.Context, req manage.ListDangerousRecordsRequest) (manage.DangerousRecordPage, error) {
	length, err := pageLength(req.Start, req.Length)
	if err != nil {
		return manage.DangerousRecordPage{}, err
	}
	f, err := s.recordFilter(ctx, req)
	if err != nil {
		return manage.DangerousRecordPage{}, err
	}
	f.start, f.length = req.Start, length
	page := manage.DangerousRecordPage{Start: req.Start, Length: length, Data: []manage.DangerousRecord{}}
	if f.none {
		return page, nil
	}
	rows, total, err := s.dr.records(ctx, f)
	if err != nil {
		return manage.DangerousRecordPage{}, err
	}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.BizID)
	}
	apps, err := s.dr.scopesOf(ctx, ids)
	if err != nil {
		return manage.DangerousRecordPage{}, err
	}
	page.Total = int(total)
	for _, r := range rows {
		page.Data = append(page.Data, toDangerousRecord(r, apps[r.BizID]))
	}
	return page, nil
}

// recordFilter checks list_dangerous_records' filters, naming the field
// at fault; a business that does not exist matches nothing (none).
func (s *Service) recordFilter(ctx context.Context, req manage.ListDangerousRecordsRequest) (recordFilter, error) {
	f := recordFilter{ruleID: req.RuleID, action: req.Action, language: req.ScriptLanguage}
	switch {
	case req.RuleID < 0:
		return f, errs.Invalid("rule_id", "must be a rule id, got %d", req.RuleID)
	case req.Action != 0 && req.Action != manage.DangerousActionScan && req.Action != manage.DangerousActionIntercept:
		return f, errs.Invalid("action", "must be 1 (scan) or 2 (intercept), got %d", req.Action)
	case req.StartTime < 0:
		return f, errs.Invalid("start_time", "must be a time in ms, got %d", req.StartTime)
	case req.EndTime < 0 || req.EndTime > 0 && req.EndTime < req.StartTime:
		return f, errs.Invalid("end_time", "must be a time in ms not before start_time")
	}
	if req.ScriptLanguage != 0 {
		if err := checkLanguage("script_language", req.ScriptLanguage); err != nil {
			return f, err
		}
	}
	op, err := checkFilter("operator", req.Operator)
	if err != nil {
		return f, err
	}
	f.operator = op
	if req.StartTime > 0 {
		f.from, f.hasFrom = time.UnixMilli(req.StartTime), true
	}
	if req.EndTime > 0 {
		f.to, f.hasTo = time.UnixMilli(req.EndTime), true
	}
	if req.RecordScopeType != "" || req.RecordScopeID != "" {
		if _, err := checkFilter("record_scope_id", req.RecordScopeID); err != nil {
			return f, err
		}
		sc, err := s.ResolveScope(ctx, req.RecordScopeType, req.RecordScopeID)
		if errors.Is(err, manage.ErrScopeNotFound) {
			f.none = true
			return f, nil
		}
		if err != nil {
			return f, err
		}
		f.bizID = sc.BizID
	}
	return f, nil
}

func toDangerousRecord(r dangerRecord, app application) manage.DangerousRecord {
	items := []manage.ScriptCheckItem{}
	_ = json.Unmarshal([]byte(r.CheckResult), &items) // written by recordHits; a bad row shows no hits
	return manage.DangerousRecord{ID: r.ID, RuleID: r.RuleID, RuleExpression: r.RuleExpression, Description: r.Description,
		ScopeType: app.ScopeType, ScopeID: app.ScopeID, ScopeName: app.Name, Operator: r.Operator, AppCode: r.AppCode,
		StartupMode: r.StartupMode, ScriptLanguage: r.ScriptLanguage, Content: r.Content, Action: r.Action,
		CheckResult: items, CreateTime: r.CreatedAt.UnixMilli()}
}
