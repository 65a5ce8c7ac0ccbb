package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fileLogEntry is one of bk-job's file_logs entries.
type fileLogEntry struct {
	Mode  int `json:"mode"`
	SrcIP *struct {
		HostID  int64  `json:"bk_host_id"`
		CloudID int64  `json:"bk_cloud_id"`
		IP      string `json:"ip"`
	} `json:"src_ip"`
	SrcPath    string `json:"src_path"`
	DestPath   string `json:"dest_path"`
	Status     int    `json:"status"`
	LogContent string `json:"log_content"`
	Size       string `json:"size"`
	Process    string `json:"process"`
}

// fileLogs is get_job_instance_ip_log's file_logs of a host, checked equal
// to batch_get_job_instance_ip_log's.
func (c *Cluster) fileLogs(t *testing.T, job created, ip string) []fileLogEntry {
	t.Helper()
	var one struct {
		LogType  int            `json:"log_type"`
		FileLogs []fileLogEntry `json:"file_logs"`
	}
	c.v3Into(t, "get_job_instance_ip_log", logBody(job, ip), &one)
	require.Equal(t, 2, one.LogType)
	var batch struct {
		FileTaskLogs []struct {
			FileLogs []fileLogEntry `json:"file_logs"`
		} `json:"file_task_logs"`
	}
	c.v3Into(t, "batch_get_job_instance_ip_log", scope(map[string]any{"job_instance_id": job.JobInstanceID,
		"step_instance_id": job.StepInstanceID, "ip_list": []map[string]any{{"bk_cloud_id": 0, "ip": ip}}}), &batch)
	require.Len(t, batch.FileTaskLogs, 1)
	require.Equal(t, one.FileLogs, batch.FileTaskLogs[0].FileLogs)
	return one.FileLogs
}

// fileLogFields checks the file logs of real agents as bk-job gives them:
// a download on the target and the source host's upload, sizes as
// "9.0 Bytes", a line per file, src_ip always, a config file's own name.
func (s *engineSetup) fileLogFields(t *testing.T) {
	src := filepath.Join(t.TempDir(), "nine.txt")
	require.NoError(t, os.WriteFile(src, []byte("123456789"), 0o644))
	dest := t.TempDir()
	var job created
	s.c.v3Into(t, "fast_transfer_file", scope(map[string]any{
		"account_alias": "root", "file_target_path": dest,
		"file_source_list": []map[string]any{{"file_list": []string{src}, "account": map[string]any{"alias": "root"},
			"server": map[string]any{"ip_list": ipList(s.a2)}}},
		"target_server": map[string]any{"ip_list": ipList(s.a1)},
	}), &job)
	require.Equal(t, runSuccess, s.c.waitJob(t, job.JobInstanceID, time.Minute).JobInstance.Status)
	logs := s.c.fileLogs(t, job, s.a1.IP)
	require.Len(t, logs, 2, "%+v", logs)
	down, up := logs[0], logs[1]
	require.Equal(t, 1, down.Mode)
	require.Equal(t, src, down.SrcPath)
	require.Equal(t, filepath.Join(dest, "nine.txt"), down.DestPath)
	require.Equal(t, "9.0 Bytes", down.Size)
	require.Equal(t, "100%", down.Process)
	require.NotNil(t, down.SrcIP)
	require.Equal(t, s.a2.IP, down.SrcIP.IP)
	require.Contains(t, down.LogContent, "FileName: "+down.DestPath+" FileSize: 9.0 Bytes State: dest agent success download file")
	require.Equal(t, 0, up.Mode)
	require.Equal(t, src, up.SrcPath)
	require.NotNil(t, up.SrcIP)
	require.Equal(t, s.a2.IP, up.SrcIP.IP)
	require.Equal(t, "9.0 Bytes", up.Size)
	require.Contains(t, up.LogContent, "FileName: "+src+" FileSize: 9.0 Bytes State: source agent success upload file")

	var cfg created
	s.c.v3Into(t, "push_config_file", scope(map[string]any{
		"account_alias": "root", "file_target_path": dest + "/conf/",
		"file_list":     []map[string]any{{"file_name": "app.conf", "content": b64("k=v\n")}},
		"target_server": map[string]any{"ip_list": ipList(s.a1)},
	}), &cfg)
	require.Equal(t, runSuccess, s.c.waitJob(t, cfg.JobInstanceID, time.Minute).JobInstance.Status)
	logs = s.c.fileLogs(t, cfg, s.a1.IP)
	require.Len(t, logs, 1, "%+v", logs)
	require.Equal(t, "app.conf", logs[0].SrcPath)
	require.NotNil(t, logs[0].SrcIP)
	require.Equal(t, "4.0 Bytes", logs[0].Size)
	require.False(t, strings.Contains(logs[0].LogContent, "execute/config/"), logs[0].LogContent)
	require.Contains(t, logs[0].LogContent, "State: dest agent success download file")
}
