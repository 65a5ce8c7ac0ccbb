package ssh

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
)

// TestRunAsAccountKillReachesBackgroundChildren: a script run as another
// account leaves a background child; a stop, a timeout and the cleanup of
// a lost run by a fresh transport each end it along with the script
// (util-linux su -c would start the script in a session of its own, out
// of reach of the wrapper's process group).
func TestRunAsAccountKillReachesBackgroundChildren(t *testing.T) {
	env := requireSSH(t)
	if env.user != "root" {
		t.Skipf("run-as needs a root SSH login, the test server logs in as %s", env.user)
	}
	tests := []struct {
		name string
		end  func(t *testing.T, tr *Transport, rec *gsetest.Recorder, task gse.ScriptTask) // nil: the timeout ends it
		want int
	}{
		{name: "stop", want: gse.HostStatusScriptTerminate,
			end: func(t *testing.T, tr *Transport, _ *gsetest.Recorder, task gse.ScriptTask) {
				require.NoError(t, tr.Stop(context.Background(), task.TaskID, nil))
			}},
		{name: "timeout", want: gse.HostStatusScriptTimeout},
		{name: "lost run", end: func(t *testing.T, _ *Transport, _ *gsetest.Recorder, task gse.ScriptTask) {
			after := newTestTransport(t, env, gsetest.NewRecorder(), transportOpts{cfg: testConfig()})
			gone, err := after.Lost(context.Background(), task.TaskID, task.Hosts)
			require.NoError(t, err)
			require.Equal(t, []int64{task.Hosts[0].ID}, gone)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := gsetest.NewRecorder()
			tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig()})
			h := env.hosts(t, 1)
			pidFile := filepath.Join(accountWritableDir(t), "pids")
			task := gse.ScriptTask{TaskID: "runas-kill-" + tt.name, Hosts: h, Language: gse.LangShell,
				Account: "nobody", Content: treeScript(pidFile, "")}
			if tt.end == nil {
				warmUp(t, tr, rec, h)
				task.Timeout = gsetest.ScriptTimeout
			}
			require.NoError(t, tr.StartScript(context.Background(), task))
			require.Eventually(t, func() bool { return rec.StrictOutput(t, task.TaskID, 1) == "started\n" },
				20*time.Second, 10*time.Millisecond)
			pids := readPIDs(t, pidFile)
			require.Len(t, pids, 2)

			if tt.end != nil {
				tt.end(t, tr, rec, task)
			}
			require.Eventually(t, func() bool { return !alive(pids[0]) && !alive(pids[1]) },
				10*time.Second, 20*time.Millisecond, "script and its background child must be gone: %v", pids)
			if tt.want != 0 {
				res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
				require.Equal(t, tt.want, res.Status, res.ErrorMsg)
			} else {
				require.NoError(t, tr.Stop(context.Background(), task.TaskID, nil))
				rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)
			}
		})
	}
}

// accountWritableDir is a directory the run-as account can write to (a
// test's TempDir sits in a root-only parent).
func accountWritableDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bkjob-runas-test-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o777))
	return dir
}
