package executeimpl_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

// testFileRefusedByTransport: when the transport refuses a file task, its
// hosts fail as submit failures and the reason is in each host's file log.
func testFileRefusedByTransport(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 3)
	env.Transport.Refuse = func(s executetest.Start) error {
		if s.File != nil {
			return errors.New("target dir: invalid path: refused by the transport")
		}
		return nil
	}
	c, err := env.Engine.FastTransferFile(ctx, execute.FastTransferFileRequest{ScopeRef: scope, AccountAlias: "root",
		FileTargetPath: "/data", FileSourceList: []execute.FileSourceSpec{{FileList: []string{"/etc/hosts"},
			Account: &execute.AccountRef{Alias: "root"}, Server: &execute.Server{HostIDList: hosts[:1]}}},
		TargetServer: &execute.Server{HostIDList: hosts[1:]}})
	require.NoError(t, err)
	st := waitJob(t, env, c.JobInstanceID, execute.StatusFail)
	require.Equal(t, map[int64]int{2: gse.HostStatusSubmitFailed, 3: gse.HostStatusSubmitFailed}, hostStatuses(st))
	require.Empty(t, env.Transport.Starts())

	for _, h := range hosts[1:] {
		l, err := env.Engine.GetHostLog(ctx, execute.GetHostLogRequest{StepRef: execute.StepRef{ScopeRef: scope,
			JobInstanceID: c.JobInstanceID, StepInstanceID: c.StepInstanceID}, HostID: h})
		require.NoError(t, err)
		require.Equal(t, execute.LogTypeFile, l.LogType)
		require.Len(t, l.FileLogs, 1, "host %d", h)
		fl := l.FileLogs[0]
		require.Equal(t, gse.FileStatusFailed, fl.Status)
		require.Equal(t, "/etc/hosts", fl.SrcPath)
		require.Equal(t, "/data", fl.DestPath)
		require.Equal(t, &execute.LogIP{HostID: 1, IP: executetest.HostIP(1)}, fl.SrcIP)
		require.Equal(t, &execute.LogIP{HostID: h, IP: executetest.HostIP(h)}, fl.DestIP)
		require.Contains(t, fl.LogContent, "refused by the transport")
	}
}
