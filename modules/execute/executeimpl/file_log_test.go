package executeimpl_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

// testFileLogFields checks the file log fields as bk-job gives them: the
// user's file name as src_path of a config file (never its blob key),
// src_ip always present, size as "10.0 Bytes" and a line per file.
func testFileLogFields(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 1)
	c, err := env.Engine.PushConfigFile(ctx, execute.PushConfigFileRequest{ScopeRef: scope, AccountAlias: "root",
		FileTargetPath: "/tmp/cfg", FileList: []execute.ConfigFile{{FileName: "a.conf", Content: b64("key=value\n")}},
		TargetServer: &execute.Server{HostIDList: hosts}})
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	key := env.Transport.Starts()[0].File.Sources[0].BlobKey
	require.NotEmpty(t, key)

	ref := execute.StepRef{ScopeRef: scope, JobInstanceID: c.JobInstanceID, StepInstanceID: c.StepInstanceID}
	one, err := env.Engine.GetHostLog(ctx, execute.GetHostLogRequest{StepRef: ref, HostID: hosts[0]})
	require.NoError(t, err)
	batch, err := env.Engine.BatchGetHostLogs(ctx, execute.BatchGetHostLogsRequest{StepRef: ref, HostIDList: hosts})
	require.NoError(t, err)
	require.Len(t, batch.FileTaskLogs, 1)
	for _, logs := range [][]execute.FileLog{one.FileLogs, batch.FileTaskLogs[0].FileLogs} {
		require.Len(t, logs, 1)
		fl := logs[0]
		require.Equal(t, "a.conf", fl.SrcPath)
		require.NotNil(t, fl.SrcIP)
		require.Equal(t, "10.0 Bytes", fl.Size)
		require.Equal(t, "100%", fl.Process)
		require.Regexp(t, regexp.MustCompile(`^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] FileName: /tmp/cfg/a.conf FileSize: 10.0 Bytes `+
			`State: dest agent success download file Speed: 0 KB/s Progress: 100% StatusDesc: dest agent success download file Detail: download finished$`), fl.LogContent)
		require.NotContains(t, fl.LogContent, key)
	}
}
