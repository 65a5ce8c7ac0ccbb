package e2e

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// made is what a create row's answer names, for the rows after it: an
// account, or a script with its versions (first and second).
type made struct {
	account       int64
	script        string
	first, second int64
}

// accountRows are the account endpoints' rows, in the order that makes
// each example's account exist: listed, created, updated, deleted. Their
// docs are the gateway's (business 1, the app in the header).
func accountRows() []exampleRow {
	m := &made{}
	account := func(t *testing.T) []exampleEdit {
		require.Positive(t, m.account, "create_account's row made no account")
		return []exampleEdit{setTo("id", m.account)}
	}
	return []exampleRow{
		{endpoint: "get_account_list", what: "example verbatim: no account named aaa",
			omitted: map[string]string{"data[]": "no account of business 1 is named or aliased aaa here"}},
		{endpoint: "get_account_list", what: "example filters set to the built-in root",
			edits: []exampleEdit{setTo("account", "root"), setTo("alias", "root")}},
		{endpoint: "create_account", what: "example (a Windows account)",
			after: func(t *testing.T, data json.RawMessage) {
				var a struct {
					ID int64 `json:"id"`
				}
				require.NoError(t, json.Unmarshal(data, &a))
				m.account = a.ID
			}},
		{endpoint: "update_account", what: "example on the account create_account's example made", late: account},
		{endpoint: "delete_account", what: "example on that account", late: account},
	}
}

// scriptRows are the script library's rows, business scripts then public
// ones, in the order that makes each example's script and versions exist:
// created, a second version, edited, the first published, read (a script
// without an online version has no online_script_version_id), the first
// disabled, the second deleted, the script deleted. The writes' docs are the
// ESB's (credentials in the body; the business scripts' examples are
// business 2's), the reads' the gateway's, whose business 1 is set to 2.
func scriptRows(credentials []exampleEdit) []exampleRow {
	return slices.Concat(scriptFamilyRows(credentials, ""), scriptFamilyRows(credentials, "public_"))
}

// scriptFamilyRows are the rows of the business (kind "") or public
// (kind "public_") script endpoints.
func scriptFamilyRows(credentials []exampleEdit, kind string) []exampleRow {
	m := &made{}
	name := func(n string) string { return "get_" + kind + n }
	write := func(n string) string {
		verb, rest, _ := strings.Cut(n, "_")
		return verb + "_" + kind + rest
	}
	saw := func(first bool) func(t *testing.T, data json.RawMessage) {
		return func(t *testing.T, data json.RawMessage) {
			var v struct {
				ID       int64  `json:"id"`
				ScriptID string `json:"script_id"`
			}
			require.NoError(t, json.Unmarshal(data, &v))
			require.Positive(t, v.ID, "a version id")
			if first {
				require.NotEmpty(t, v.ScriptID, "a script id")
				m.script, m.first = v.ScriptID, v.ID
				return
			}
			require.Equal(t, m.script, v.ScriptID)
			m.second = v.ID
		}
	}
	script := func(t *testing.T) []exampleEdit {
		require.NotEmpty(t, m.script, "%s's row made no script", write("create_script"))
		return slices.Concat(credentials, []exampleEdit{setTo("script_id", m.script)})
	}
	version := func(id func() int64, asString bool) func(t *testing.T) []exampleEdit {
		return func(t *testing.T) []exampleEdit {
			v := id()
			require.Positive(t, v, "%s's rows made no such version", write("create_script"))
			var value any = v
			if asString {
				// delete_public_script_version's example gives the id as a string.
				value = strconv.FormatInt(v, 10)
			}
			return append(script(t), setTo("script_version_id", value))
		}
	}
	first := func() int64 { return m.first }
	second := func() int64 { return m.second }
	// The gateway reads: business 2 (the ESB examples' business) for
	// business scripts, no scope for public ones.
	scope := func(edits ...exampleEdit) []exampleEdit {
		if kind == "" {
			return append([]exampleEdit{setTo("bk_scope_id", "2")}, edits...)
		}
		return edits
	}
	readLate := func(key string, id func(t *testing.T) any) func(t *testing.T) []exampleEdit {
		return func(t *testing.T) []exampleEdit {
			return scope(setTo(key, id(t)))
		}
	}
	scriptID := func(t *testing.T) any {
		require.NotEmpty(t, m.script, "%s's row made no script", write("create_script"))
		return m.script
	}
	firstID := func(t *testing.T) any {
		require.Positive(t, m.first, "%s's row made no version", write("create_script"))
		return strconv.FormatInt(m.first, 10)
	}
	exampleName := map[string]string{"": "script test", "public_": "public script test"}[kind]

	rows := []exampleRow{
		{endpoint: write("create_script"), what: "ESB example", esb: true, edits: credentials, after: saw(true)},
		{endpoint: write("create_script_version"), what: "ESB example: version 2.0 of that script", esb: true, late: script, after: saw(false)},
		{endpoint: write("update_script_basic"), what: "ESB example (the name it has already)", esb: true, late: script},
		{endpoint: write("update_script_version"), what: "ESB example on version 2.0, a draft", esb: true, late: version(second, false)},
		{endpoint: write("publish_script_version"), what: "ESB example on version 1.0", esb: true, late: version(first, false)},
		{endpoint: name("script_list"), what: "example with the name of the script made (online_script_version_id: 1.0)",
			edits: scope(setTo("name", exampleName))},
		{endpoint: name("script_version_list"), what: "example on the script made", late: readLate("script_id", scriptID)},
		{endpoint: name("script_version_detail"), what: "example on version 1.0", late: readLate("id", firstID)},
		{endpoint: write("disable_script_version"), what: "ESB example on version 1.0, online", esb: true, late: version(first, false)},
		{endpoint: write("delete_script_version"), what: "ESB example on version 2.0", esb: true, late: version(second, kind == "public_")},
		{endpoint: write("delete_script"), what: "ESB example", esb: true, late: script},
	}
	if kind != "" {
		return rows
	}
	// The read's example in its own business 1: business 2's script is
	// not there (bkjob answers 1243001, not bk-job's 1243004, so ids of
	// other businesses cannot be probed).
	other := exampleRow{endpoint: "get_script_version_list", what: "example's business 1: the script is business 2's",
		late: func(t *testing.T) []exampleEdit {
			return []exampleEdit{setTo("script_id", scriptID(t))}
		}, refused: 1243001, field: "script_id"}
	return slices.Insert(rows, 6, other)
}
