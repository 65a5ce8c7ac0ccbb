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

	t.Run("Door", func(t *testing.T) { pageDoor(t, c, job) })
	runBrowserScript(t, c.Server, "task_scale.mjs", "BKJOB_PASSWORD=ui-scale-pass",
		"BKJOB_TASK_ID="+strconv.FormatInt(job.JobInstanceID, 10), "BKJOB_TASK_HOSTS="+strconv.Itoa(scaleHosts))
}

// pageDoor: list_step_instance_hosts through the v3 door pages with
// status names in the caller's language, and refuses bad paging naming the
// field (bk-job's invalid-parameter code) and another business's task.
func pageDoor(t *testing.T, c *Cluster, job created) {
	ref := func(extra map[string]any) map[string]any {
		body := scope(map[string]any{"job_instance_id": job.JobInstanceID, "step_instance_id": job.StepInstanceID})
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	var page struct {
		Total int `json:"total"`
		Data  []struct {
			IP         string `json:"ip"`
			Status     int    `json:"status"`
			StatusDesc string `json:"status_desc"`
		} `json:"data"`
	}
	c.v3Into(t, "list_step_instance_hosts", ref(map[string]any{"status": hostSuccess, "tag": "", "start": 298, "length": 5}), &page)
	require.Equal(t, 300, page.Total)
	require.Len(t, page.Data, 2, "the last two of 300")
	require.Equal(t, "Succeeded", page.Data[0].StatusDesc)
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{ref(map[string]any{"length": 501}), "length"},
		{ref(map[string]any{"length": 0}), "length"},
		{ref(map[string]any{"start": -1}), "start"},
	} {
		env := c.call(t, "list_step_instance_hosts", bad.body)
		require.False(t, env.Result)
		require.Equal(t, 1241010, env.Code, env.Message) // bk-job ILLEGAL_PARAM_WITH_PARAM_NAME_AND_REASON
		require.Contains(t, env.Message, bad.field)
	}
	other := ref(nil)
	other["bk_scope_id"] = "2"
	env := c.call(t, "list_step_instance_hosts", other)
	require.False(t, env.Result, "another business's task")
	// This server has no business 2 (scope unknown); the engine test
	// (testListStepHosts) covers a business that exists but owns no such task.
	require.Contains(t, []int{1243051, 1244006}, env.Code, env.Message)
	require.NotContains(t, string(env.Data), "10.60.", "no host of it leaks")
}
