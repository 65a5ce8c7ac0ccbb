package gsetest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

// paramsNotExpanded: script_param reaches the script as the argument
// vector gse.SplitParams gives, on every transport: nothing in it runs or
// expands, whatever shell the transport goes through.
func (c *suite) paramsNotExpanded(t *testing.T) {
	h := c.Hosts[0]
	id := c.script(t, "hostile-params", `for a in "$@"; do printf '[%s]\n' "$a"; done`, HostileParams, []gse.Host{h}, nil)
	res := c.Recorder.WaitResult(t, id, h.ID, Wait)
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	want := "[" + strings.Join(HostileArgv, "]\n[") + "]\n"
	require.Equal(t, want, c.Recorder.Output(id, h.ID))
}

// paramsUnbalanced: parameters that do not split (an unbalanced quote) are
// refused, by StartScript or by a failed host, never run half-split.
func (c *suite) paramsUnbalanced(t *testing.T) {
	h := c.Hosts[0]
	id := taskID("unbalanced-params")
	err := c.Transport.StartScript(t.Context(), gse.ScriptTask{TaskID: id, Hosts: []gse.Host{h}, Language: gse.LangShell,
		Content: "echo ran", Params: `a 'b`, Account: c.Account, Timeout: Wait})
	if err != nil {
		return
	}
	res := c.Recorder.WaitResult(t, id, h.ID, Wait)
	require.NotEqual(t, gse.HostStatusSuccess, res.Status)
	require.Contains(t, res.ErrorMsg, "unterminated single quote")
	require.NotContains(t, c.Recorder.Output(id, h.ID), "ran")
}
