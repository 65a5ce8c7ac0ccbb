package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// panelsTargetIP is the built-in agent's address in TestUITaskPanels.
const panelsTargetIP = "127.0.0.74"

// TestUITaskPanels drives the task page's extra panels in headless Chromium
// (frontend/e2e/task_panels.mjs) against the built binary and its built-in
// agent: a file transfer from the agent's host to itself shows per-file
// size and progress and the step's summary; a rolling script (one host, one
// batch) shows the batch switcher, fails, is retried and terminated from
// the page, and the operation records list both; the variables panel says
// there are none; the log download is a zip; the step's hosts copy.
func TestUITaskPanels(t *testing.T) {
	uiPrerequisites(t)
	c := startCluster(t, ServerOptions{}, "BKJOB_ADMIN_PASSWORD=ui-e2e-pass",
		"BKJOB_GSE__LOCAL_AGENT__ENABLED=true", "BKJOB_GSE__LOCAL_AGENT__IP="+panelsTargetIP)
	require.Eventually(t, func() bool { return strings.Contains(c.Output.String(), `msg="agent connected"`) },
		60*time.Second, 100*time.Millisecond, "the built-in agent never connected")

	dir := t.TempDir()
	src := filepath.Join(dir, "payload.bin")
	require.NoError(t, os.WriteFile(src, make([]byte, 300<<10), 0o644))
	var file created
	c.v3Into(t, "fast_transfer_file", scope(map[string]any{
		"task_name": "ui panels file", "account_alias": "root", "file_target_path": filepath.Join(dir, "dest"),
		"file_source_list": []map[string]any{{"file_list": []string{src}, "account": map[string]any{"alias": "root"},
			"server": map[string]any{"ip_list": ipList(fixedIP(panelsTargetIP))}}},
		"target_server": map[string]any{"ip_list": ipList(fixedIP(panelsTargetIP))},
	}), &file)
	require.Equal(t, runSuccess, c.waitJob(t, file.JobInstanceID, time.Minute).JobInstance.Status)

	// The rolling script fails once (it leaves a marker), then runs long
	// enough for the page to terminate it.
	marker := filepath.Join(dir, "marker")
	script := fmt.Sprintf("if [ -f %[1]s ]; then echo 'second run'; sleep 300; else touch %[1]s; echo 'first run fails'; exit 1; fi\n", marker)
	rolling := c.runScript(t, script, []target{fixedIP(panelsTargetIP)},
		map[string]any{"task_name": "ui panels rolling", "rolling_config": map[string]any{"expression": "1", "mode": 1}})
	require.Equal(t, runFail, c.waitJob(t, rolling.JobInstanceID, time.Minute).JobInstance.Status)

	runBrowserScript(t, c.Server, "task_panels.mjs", "BKJOB_PASSWORD=ui-e2e-pass", "BKJOB_TARGET_IP="+panelsTargetIP,
		fmt.Sprintf("BKJOB_FILE_TASK=%d", file.JobInstanceID), fmt.Sprintf("BKJOB_ROLLING_TASK=%d", rolling.JobInstanceID),
		"BKJOB_FILE_NAME="+filepath.Join(dir, "dest", "payload.bin"))

	// Over the v3 API: the operations done in the browser, newest first;
	// another business's caller does not see the task.
	var ops struct {
		OperationLogList []struct {
			OperationCode int    `json:"operation_code"`
			Operator      string `json:"operator"`
		} `json:"operation_log_list"`
	}
	c.v3Into(t, "get_job_instance_operation_log", scope(map[string]any{"job_instance_id": rolling.JobInstanceID}), &ops)
	var codes []int
	for _, o := range ops.OperationLogList {
		codes = append(codes, o.OperationCode)
	}
	require.Equal(t, []int{4, 1, 6}, codes, "terminate, retry failed, start") // UserOperationEnum
	other, err := c.post("get_job_instance_operation_log", map[string]any{"bk_scope_type": "biz", "bk_scope_id": "2",
		"job_instance_id": rolling.JobInstanceID})
	require.NoError(t, err)
	require.False(t, other.Result, "another business reads the task's operations: %+v", other)
}
