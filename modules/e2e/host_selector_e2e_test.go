package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// selectorHosts is how many agentless hosts TestUIHostSelector registers
// beside the built-in agent's host: more than the picker's page (200), so
// scrolling loads the next one.
const selectorHosts = 250

// offlineIP is a `bkjob agent` that TestUIHostSelector starts and kills, so
// the business has a host whose agent is offline.
const offlineIP = "127.0.0.72"

// TestUIHostSelector drives the host selector (frontend/e2e/host_selector.mjs)
// on Quick launch → script against the built binary: the built-in agent's
// host, an offline host and an unknown IP pasted, the unknown and the
// offline one flagged and removed, the business's hosts searched in the
// picker and ticked into the list. Before the browser, it checks the two
// endpoints the selector calls on the web API as the browser will
// (list_biz_hosts, check_hosts).
func TestUIHostSelector(t *testing.T) {
	uiPrerequisites(t)
	c := StartCluster(t,
		"BKJOB_ADMIN_PASSWORD=ui-e2e-pass",
		"BKJOB_GSE__LOCAL_AGENT__ENABLED=true",
		"BKJOB_GSE__LOCAL_AGENT__IP="+uiTargetIP,
		// An agent silent for 3 s is offline.
		"BKJOB_GSE__HEARTBEAT_INTERVAL=1s", "BKJOB_GSE__OFFLINE_AFTER_MISSED=3")
	require.Eventually(t, func() bool { return strings.Contains(c.Output.String(), `msg="agent connected"`) },
		60*time.Second, 100*time.Millisecond, "the built-in agent never connected")

	api := webSession(t, c.URL, "admin", "ui-e2e-pass")
	web := func(name string, body map[string]any, out any) {
		t.Helper()
		resp, raw := api.do(t, http.MethodPost, "/api/web/"+name, scope(body))
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", name, raw)
		require.NoError(t, json.Unmarshal(raw, out), string(raw))
	}
	type bizHost struct {
		IP          string `json:"ip"`
		Transport   string `json:"transport"`
		AgentStatus string `json:"agent_status"`
	}
	var page struct {
		Total int       `json:"total"`
		Data  []bizHost `json:"data"`
	}
	status := func(ip string) string {
		web("list_biz_hosts", map[string]any{"keyword": ip}, &page)
		if page.Total != 1 {
			return fmt.Sprintf("%d hosts", page.Total)
		}
		return page.Data[0].Transport + "/" + page.Data[0].AgentStatus
	}

	gone := StartAgent(t, c, offlineIP, AgentOptions{})
	require.Eventually(t, func() bool { return status(offlineIP) == "agent/online" }, time.Minute, 200*time.Millisecond)
	gone.Kill(t)
	require.Eventually(t, func() bool { return status(offlineIP) == "agent/offline" }, time.Minute, 200*time.Millisecond)
	require.Equal(t, "agent/online", status(uiTargetIP))

	var cred struct {
		ID string `json:"id"`
	}
	web("create_credential", map[string]any{"name": "selector", "type": "USERNAME_PASSWORD",
		"credential_username": "deploy", "credential_password": "pw"}, &cred)
	for i := 1; i <= selectorHosts; i++ {
		var host map[string]any
		web("create_agentless_host", map[string]any{"bk_cloud_id": 0, "ip": fmt.Sprintf("10.30.0.%d", i), "credential_id": cred.ID}, &host)
	}

	web("list_biz_hosts", map[string]any{"keyword": "10.30.0.", "length": 5}, &page)
	require.Equal(t, selectorHosts, page.Total)
	require.Len(t, page.Data, 5)

	var check struct {
		Checked         int              `json:"checked"`
		Known           int              `json:"known"`
		UnknownIPList   []map[string]any `json:"unknown_ip_list"`
		OfflineHostList []bizHost        `json:"offline_host_list"`
	}
	web("check_hosts", map[string]any{"ip_list": []map[string]any{{"bk_cloud_id": 0, "ip": uiTargetIP},
		{"bk_cloud_id": 0, "ip": offlineIP}, {"bk_cloud_id": 0, "ip": "10.99.0.1"}}}, &check)
	require.Equal(t, 3, check.Checked)
	require.Equal(t, 2, check.Known)
	require.Equal(t, []map[string]any{{"bk_cloud_id": float64(0), "ip": "10.99.0.1"}}, check.UnknownIPList)
	require.Len(t, check.OfflineHostList, 1)
	require.Equal(t, offlineIP, check.OfflineHostList[0].IP)

	runBrowserScript(t, c.Server, "host_selector.mjs", "BKJOB_PASSWORD=ui-e2e-pass", "BKJOB_TARGET_IP="+uiTargetIP, "BKJOB_OFFLINE_IP="+offlineIP)
}
