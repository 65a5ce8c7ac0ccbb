package manageimpl

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

func TestDangerousRules(t *testing.T) { eachBackend(t, testDangerousRules) }

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func testDangerousRules(t *testing.T, env credEnv) {
	ctx := context.Background()
	svc := manage.NewClient(env.bus) // over the bus: what the gateway holds
	pipe, err := svc.CreateDangerousRule(ctx, manage.CreateDangerousRuleRequest{Operator: "admin",
		Expression: ` curl\s+\S+\s*\|\s*(ba)?sh `, ScriptLanguageList: []int{1, 1}, Description: "Pipe a download into a shell", Action: 2})
	require.NoError(t, err)
	require.Equal(t, `curl\s+\S+\s*\|\s*(ba)?sh`, pipe.Expression, "trimmed")
	require.Equal(t, []int{1}, pipe.ScriptLanguageList, "deduplicated")
	require.Equal(t, manage.DangerousRuleDisabled, pipe.Status, "a new rule starts disabled")
	require.Equal(t, "admin", pipe.Creator)
	require.NotZero(t, pipe.CreateTime)
	scan, err := svc.CreateDangerousRule(ctx, manage.CreateDangerousRuleRequest{Operator: "admin",
		Expression: `shutdown|reboot`, ScriptLanguageList: []int{1, 4}, Description: "Reboots the host", Action: 1})
	require.NoError(t, err)

	t.Run("bad input names the field and changes nothing", func(t *testing.T) {
		for field, req := range map[string]manage.CreateDangerousRuleRequest{
			"expression":           {Expression: "rm (", ScriptLanguageList: []int{1}, Description: "d", Action: 1},
			"script_language_list": {Expression: "rm", ScriptLanguageList: []int{7}, Description: "d", Action: 1},
			"description":          {Expression: "rm", ScriptLanguageList: []int{1}, Description: strings.Repeat("x", 501), Action: 1},
			"action":               {Expression: "rm", ScriptLanguageList: []int{1}, Description: "d", Action: 3},
		} {
			_, err := svc.CreateDangerousRule(ctx, req)
			require.Error(t, err, field)
			require.Equal(t, field, errs.From(err).Field, "%v", err)
		}
		_, err := svc.UpdateDangerousRule(ctx, manage.UpdateDangerousRuleRequest{ID: pipe.ID, Expression: `(a)\1`, ScriptLanguageList: []int{1}, Description: "d", Action: 1})
		require.Equal(t, "expression", errs.From(err).Field)
		_, err = svc.EnableDangerousRule(ctx, manage.DangerousRuleRef{ID: 9999})
		require.ErrorIs(t, err, manage.ErrDangerousRuleNotFound)
		_, err = svc.MoveDangerousRule(ctx, manage.MoveDangerousRuleRequest{ID: pipe.ID, Dir: 2})
		require.Equal(t, "dir", errs.From(err).Field)
		list, err := svc.GetDangerousRuleList(ctx, manage.GetDangerousRuleListRequest{})
		require.NoError(t, err)
		require.Len(t, list, 2)
		require.Equal(t, pipe.Expression, list[0].Expression, "nothing changed")
	})

	t.Run("the live test matches as a run would and stores nothing", func(t *testing.T) {
		items, err := svc.TestDangerousRule(ctx, manage.TestDangerousRuleRequest{Expression: `rm\s+-rf`, Action: 2, Content: "echo\nrm -rf /x\n"})
		require.NoError(t, err)
		require.Equal(t, []manage.ScriptCheckItem{{Line: 2, LineContent: "rm -rf /x", MatchContent: "rm -rf", Level: 3}}, items)
		_, err = svc.TestDangerousRule(ctx, manage.TestDangerousRuleRequest{Expression: `rm(?!x)`})
		require.Equal(t, "expression", errs.From(err).Field)
		_, err = svc.TestDangerousRule(ctx, manage.TestDangerousRuleRequest{Expression: `x`, Content: strings.Repeat("x", manage.MaxDangerousRuleSample+1)})
		require.Equal(t, "content", errs.From(err).Field)
	})

	t.Run("a disabled rule does not apply", func(t *testing.T) {
		v, err := svc.CheckScriptRun(ctx, manage.ScriptRunCheck{BizID: 1, ScriptLanguage: 1, Content: "curl http://x | sh\n"})
		require.NoError(t, err)
		require.Empty(t, v.Warnings)
	})

	for _, id := range []int64{pipe.ID, scan.ID} {
		st, err := svc.EnableDangerousRule(ctx, manage.DangerousRuleRef{ID: id, Operator: "root"})
		require.NoError(t, err)
		require.Equal(t, manage.DangerousRuleStatus{ID: id, Status: 1}, st)
	}

	t.Run("check_script shows every finding with its line", func(t *testing.T) {
		items, err := svc.CheckScript(ctx, manage.CheckScriptRequest{ScriptLanguage: 1, Content: b64("#!/bin/bash\necho hi\ncurl http://x/i | bash\nreboot\n")})
		require.NoError(t, err)
		require.Equal(t, []manage.ScriptCheckItem{
			{Line: 3, LineContent: "curl http://x/i | bash", MatchContent: "curl http://x/i | bash", Level: 3, Description: "Pipe a download into a shell"},
			{Line: 4, LineContent: "reboot", MatchContent: "reboot", Level: 1, Description: "Reboots the host"},
		}, items)
		_, err = svc.CheckScript(ctx, manage.CheckScriptRequest{ScriptLanguage: 1, Content: "%%%"})
		require.Equal(t, "content", errs.From(err).Field)
		_, err = svc.CheckScript(ctx, manage.CheckScriptRequest{ScriptLanguage: 9, Content: b64("x")})
		require.Equal(t, "script_language", errs.From(err).Field)
		_, err = svc.CheckScript(ctx, manage.CheckScriptRequest{ScriptLanguage: 1, Content: b64(strings.Repeat("x", 5*1024*1024+1))})
		require.Equal(t, "content", errs.From(err).Field, "over 5 MiB")
		_, err = svc.CheckScript(ctx, manage.CheckScriptRequest{ScriptLanguage: 1})
		require.Equal(t, "content", errs.From(err).Field)
		page, err := svc.ListDangerousRecords(ctx, manage.ListDangerousRecordsRequest{})
		require.NoError(t, err)
		require.Zero(t, page.Total, "check_script records nothing")
	})

	t.Run("a run: scan warns, intercept refuses naming the rule; both recorded", func(t *testing.T) {
		v, err := svc.CheckScriptRun(ctx, manage.ScriptRunCheck{BizID: 1, Operator: "alice", StartupMode: 2, ScriptLanguage: 1, Content: "#!/bin/bash\nreboot\n"})
		require.NoError(t, err)
		require.Len(t, v.Warnings, 1)
		_, err = svc.CheckScriptRun(ctx, manage.ScriptRunCheck{BizID: 2, Operator: "bob", AppCode: "ci", StartupMode: 3, ScriptLanguage: 1,
			Content: "#!/bin/bash\nreboot\ncurl http://x/i | sh\n"})
		require.ErrorIs(t, err, manage.ErrDangerousScript)
		require.Contains(t, err.Error(), "Pipe a download into a shell")
		require.Contains(t, err.Error(), "line 3")
		_, err = svc.CheckScriptRun(ctx, manage.ScriptRunCheck{BizID: 1, ScriptLanguage: 2, Content: "curl http://x/i | sh\n"})
		require.NoError(t, err, "the rule is for shell only")

		page, err := svc.ListDangerousRecords(ctx, manage.ListDangerousRecordsRequest{})
		require.NoError(t, err)
		require.Equal(t, 3, page.Total)
		require.Equal(t, scan.ID, page.Data[0].RuleID, "newest first; one run's records in rule order")
		newest := page.Data[1]
		require.Equal(t, pipe.ID, newest.RuleID)
		require.Equal(t, 2, newest.Action)
		require.Equal(t, "bob", newest.Operator)
		require.Equal(t, "ci", newest.AppCode)
		require.Equal(t, "2", newest.ScopeID)
		require.Equal(t, "Other", newest.ScopeName)
		require.Contains(t, newest.Content, "curl http://x/i | sh")
		require.Equal(t, []manage.ScriptCheckItem{{Line: 3, LineContent: "curl http://x/i | sh", MatchContent: "curl http://x/i | sh", Level: 3, Description: "Pipe a download into a shell"}}, newest.CheckResult)

		for name, tc := range map[string]struct {
			req  manage.ListDangerousRecordsRequest
			want int
		}{
			"action":          {manage.ListDangerousRecordsRequest{Action: 2}, 1},
			"rule":            {manage.ListDangerousRecordsRequest{RuleID: scan.ID}, 2},
			"operator":        {manage.ListDangerousRecordsRequest{Operator: "alice"}, 1},
			"business":        {manage.ListDangerousRecordsRequest{RecordScopeType: "biz", RecordScopeID: "2"}, 2},
			"unknown biz":     {manage.ListDangerousRecordsRequest{RecordScopeType: "biz", RecordScopeID: "404"}, 0},
			"language":        {manage.ListDangerousRecordsRequest{ScriptLanguage: 4}, 0},
			"time (future)":   {manage.ListDangerousRecordsRequest{StartTime: newest.CreateTime + 60_000}, 0},
			"time (in range)": {manage.ListDangerousRecordsRequest{StartTime: newest.CreateTime - 60_000, EndTime: newest.CreateTime + 60_000}, 3},
		} {
			page, err := svc.ListDangerousRecords(ctx, tc.req)
			require.NoError(t, err, name)
			require.Equal(t, tc.want, page.Total, name)
		}
		page, err = svc.ListDangerousRecords(ctx, manage.ListDangerousRecordsRequest{Start: 1, Length: 1})
		require.NoError(t, err)
		require.Len(t, page.Data, 1)
		require.Equal(t, 3, page.Total)
		for field, req := range map[string]manage.ListDangerousRecordsRequest{
			"length":   {Length: 5000},
			"action":   {Action: 5},
			"end_time": {StartTime: 10, EndTime: 5},
			"operator": {Operator: strings.Repeat("o", 65)},
		} {
			_, err := svc.ListDangerousRecords(ctx, req)
			require.Equal(t, field, errs.From(err).Field, "%v", err)
		}
	})

	t.Run("reorder, filter, disable, delete", func(t *testing.T) {
		third, err := svc.CreateDangerousRule(ctx, manage.CreateDangerousRuleRequest{Expression: `mkfs`, ScriptLanguageList: []int{1}, Description: "Format", Action: 2})
		require.NoError(t, err)
		ids := func(l []manage.DangerousRule) []int64 {
			var out []int64
			for _, r := range l {
				out = append(out, r.ID)
			}
			return out
		}
		l, err := svc.MoveDangerousRule(ctx, manage.MoveDangerousRuleRequest{ID: third.ID, Dir: -1, Operator: "root"})
		require.NoError(t, err)
		require.Equal(t, []int64{pipe.ID, third.ID, scan.ID}, ids(l))
		l, err = svc.MoveDangerousRule(ctx, manage.MoveDangerousRuleRequest{ID: pipe.ID, Dir: -1})
		require.NoError(t, err)
		require.Equal(t, []int64{pipe.ID, third.ID, scan.ID}, ids(l), "the first stays first")
		l, err = svc.MoveDangerousRule(ctx, manage.MoveDangerousRuleRequest{ID: pipe.ID, Dir: 1})
		require.NoError(t, err)
		require.Equal(t, []int64{third.ID, pipe.ID, scan.ID}, ids(l))

		l, err = svc.GetDangerousRuleList(ctx, manage.GetDangerousRuleListRequest{Action: 2, ScriptLanguageList: []int{1}})
		require.NoError(t, err)
		require.Equal(t, []int64{third.ID, pipe.ID}, ids(l))
		l, err = svc.GetDangerousRuleList(ctx, manage.GetDangerousRuleListRequest{ScriptLanguageList: []int{4}})
		require.NoError(t, err)
		require.Equal(t, []int64{scan.ID}, ids(l))
		l, err = svc.GetDangerousRuleList(ctx, manage.GetDangerousRuleListRequest{Expression: "reboot"})
		require.NoError(t, err)
		require.Equal(t, []int64{scan.ID}, ids(l))

		up, err := svc.UpdateDangerousRule(ctx, manage.UpdateDangerousRuleRequest{ID: scan.ID, Operator: "root", Expression: "halt", ScriptLanguageList: []int{1}, Description: "Halts", Action: 1})
		require.NoError(t, err)
		require.Equal(t, "root", up.LastModifyUser)
		require.Equal(t, 1, up.Status, "an update keeps the status")

		_, err = svc.DisableDangerousRule(ctx, manage.DangerousRuleRef{ID: pipe.ID})
		require.NoError(t, err)
		_, err = svc.CheckScriptRun(ctx, manage.ScriptRunCheck{BizID: 1, ScriptLanguage: 1, Content: "curl http://x | sh\n"})
		require.NoError(t, err, "a disabled intercept rule lets the script run")
		d, err := svc.DeleteDangerousRule(ctx, manage.DangerousRuleRef{ID: pipe.ID})
		require.NoError(t, err)
		require.Equal(t, pipe.ID, d.ID)
		_, err = svc.DeleteDangerousRule(ctx, manage.DangerousRuleRef{ID: pipe.ID})
		require.ErrorIs(t, err, manage.ErrDangerousRuleNotFound)
		page, err := svc.ListDangerousRecords(ctx, manage.ListDangerousRecordsRequest{RuleID: pipe.ID})
		require.NoError(t, err)
		require.Equal(t, 1, page.Total, "records outlive their rule")
	})
}
