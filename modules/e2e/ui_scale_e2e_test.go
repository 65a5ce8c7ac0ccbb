package e2e

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse/gse2"
	"github.com/bkjob/bkjob/gse/gse2/fakegse"
)

// scaleHosts is the size of the task the task page is measured on.
const scaleHosts = 10000

// TestUITaskPage10k opens the task page of a finished script task on
// 10,000 hosts in headless Chromium (frontend/e2e/task_scale.mjs) and
// measures load-to-interactive and a scroll through the host table. The
// hosts are simulated by the fake GSE 2.0 (gse/gse2/fakegse): 300 run
// the script for real, the others fail at once without a process (an
// agent GSE reports an error for, or one it does not know), so the step
// has several result groups and finishes in seconds. The browser asserts
// behaviour (rows render, pages not 10,000 hosts are asked for, no request
// per host); the figures are printed (docs/benchmarks.md).
func TestUITaskPage10k(t *testing.T) {
	uiPrerequisites(t)
	const appCode = "bkjob-e2e"
	secret := randHex(t, 16)
	fake := fakegse.New(appCode, secret)
	api := httptest.NewServer(fake)
	t.Cleanup(func() {
		api.Close()
		fake.Close()
	})
	roots := t.TempDir()
	list := make([]map[string]any, 0, scaleHosts)
	for n := 1; n <= scaleHosts; n++ {
		agent := fmt.Sprintf("0:scale-%d", n)
		switch {
		case n <= 300:
			fake.AddAgent(fakegse.Agent{ID: agent, Root: filepath.Join(roots, strconv.Itoa(n)), StatusCode: gse2.AgentRunning})
		case n <= 7000:
			fake.AddAgent(fakegse.Agent{ID: agent, StatusCode: gse2.AgentRunning, ErrorCode: 122})
		} // the rest: unknown to GSE
		list = append(list, map[string]any{"bk_cloud_id": 0, "ip": fmt.Sprintf("10.%d.%d.%d", 60+n/62500, n/250%250, n%250+1), "bk_agent_id": agent})
	}
	c := StartCluster(t,
		"BKJOB_ADMIN_PASSWORD=ui-scale-pass",
		"BKJOB_GSE__TRANSPORT=gse2",
		"BKJOB_GSE__GSE2__URL="+api.URL,
		"BKJOB_GSE__GSE2__APP_CODE="+appCode,
		"BKJOB_GSE__GSE2__APP_SECRET="+secret,
	)

	started := time.Now()
	ids := make([]int64, 0, scaleHosts)
	for i := 0; i < len(list); i += 1000 {
		var got struct {
			HostList []struct {
				HostID int64 `json:"bk_host_id"`
			} `json:"host_list"`
		}
		c.v3Into(t, "register_gse_hosts", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1", "host_list": list[i : i+1000]}, &got)
		for _, h := range got.HostList {
			ids = append(ids, h.HostID)
		}
	}
	require.Len(t, ids, scaleHosts)
	t.Logf("registered %d hosts in %s", scaleHosts, time.Since(started).Round(time.Millisecond))
	var job created
	c.v3Into(t, "fast_execute_script", scope(map[string]any{
		"task_name":       "scale 10k",
		"script_content":  b64("echo \"host ready\"\necho \"needle-$(basename \"$PWD\")\"\n"),
		"script_language": 1,
		"account_alias":   "root",
		"timeout":         120,
		"target_server":   map[string]any{"host_id_list": ids},
	}), &job)
	poll(t, 90*time.Second, "the 10,000-host task never finished", func() (bool, string) {
		var st struct {
			Finished bool `json:"finished"`
		}
		ok, why := c.try("get_job_instance_status", scope(map[string]any{"job_instance_id": job.JobInstanceID}), &st)
		return ok && st.Finished, why
	})
	t.Logf("seeded a finished task of %d hosts in %s", scaleHosts, time.Since(started).Round(time.Millisecond))

	runBrowserScript(t, c.Server, "task_scale.mjs", "BKJOB_PASSWORD=ui-scale-pass",
		"BKJOB_TASK_ID="+strconv.FormatInt(job.JobInstanceID, 10), "BKJOB_TASK_HOSTS="+strconv.Itoa(scaleHosts))
}
