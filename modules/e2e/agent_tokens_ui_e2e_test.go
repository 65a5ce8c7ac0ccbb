package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAgentTokensPage drives frontend/e2e/agent_tokens.mjs: enrolment
// tokens created, rotated and deleted on the hosts page, light and dark,
// English and Chinese. Then the secret the page showed for a token enrols
// a real `bkjob agent`, and a secret the page rotated away is refused.
func TestAgentTokensPage(t *testing.T) {
	uiPrerequisites(t)
	c := startCluster(t, ServerOptions{}, "BKJOB_ADMIN_PASSWORD=ui-e2e-pass")
	out := t.TempDir()
	tokenOut, rotatedOut := filepath.Join(out, "token"), filepath.Join(out, "rotated")
	runBrowserScript(t, c.Server, "agent_tokens.mjs", "BKJOB_PASSWORD=ui-e2e-pass",
		"BKJOB_TOKEN_OUT="+tokenOut, "BKJOB_ROTATED_OUT="+rotatedOut)

	shown, err := os.ReadFile(tokenOut)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(shown), "bkjt_"))
	a := StartAgent(t, c, "127.0.0.61", AgentOptions{Args: []string{"--token-file", tokenOut}})
	require.Equal(t, readAgentID(t, a), agentOfHostIn(t, c, scope(nil), a.IP), "the secret the page showed enrols an agent")
	var page struct {
		Data []agentToken `json:"data"`
	}
	c.v3Into(t, "list_agent_tokens", scope(nil), &page)
	used := map[string]bool{}
	for _, tok := range page.Data {
		used[tok.Name] = tok.LastUsedTime > 0
	}
	require.Equal(t, map[string]bool{"lab": true, "dark": false}, used, "the agent enrolled with the page's token, not the configured one")
	tokenRefused(t, c.Server, rotatedOut, "127.0.0.62")
}
