package ssh

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
)

// TestLostRunEndedByAFreshTransport: a transport that never held a task
// (one started after a crash of the one that ran it) finds the run's
// record on the host and ends its process tree, and leaves the run of
// another task alone.
func TestLostRunEndedByAFreshTransport(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	before := newTestTransport(t, env, rec, transportOpts{cfg: testConfig()})
	h := env.hosts(t, 1)
	dir := t.TempDir()
	lostPIDs, keptPIDs := filepath.Join(dir, "lost"), filepath.Join(dir, "kept")
	lostTask := gse.ScriptTask{TaskID: "lost-run", Hosts: h, Language: gse.LangShell, Content: treeScript(lostPIDs, "")}
	keptTask := gse.ScriptTask{TaskID: "kept-run", Hosts: h, Language: gse.LangShell, Content: treeScript(keptPIDs, "")}
	for _, task := range []gse.ScriptTask{lostTask, keptTask} {
		require.NoError(t, before.StartScript(context.Background(), task))
		require.Eventually(t, func() bool { return rec.StrictOutput(t, task.TaskID, 1) == "started\n" },
			20*time.Second, 10*time.Millisecond)
	}
	lost, kept := readPIDs(t, lostPIDs), readPIDs(t, keptPIDs)
	records, err := filepath.Glob("/tmp/bkjob-*.run")
	require.NoError(t, err)
	require.NotEmpty(t, records, "each run keeps a record beside its staged dir")

	after := newTestTransport(t, env, gsetest.NewRecorder(), transportOpts{cfg: testConfig()})
	gone, err := after.Lost(context.Background(), lostTask.TaskID, h)
	require.NoError(t, err)
	require.Equal(t, []int64{h[0].ID}, gone)
	require.Eventually(t, func() bool { return !alive(lost[0]) && !alive(lost[1]) },
		10*time.Second, 20*time.Millisecond, "the lost run's script and child must be gone: %v", lost)
	require.True(t, alive(kept[0]) && alive(kept[1]), "another task's run is untouched")

	held, err := before.Lost(context.Background(), keptTask.TaskID, h)
	require.NoError(t, err)
	require.Empty(t, held, "the transport running it holds it")
	require.NoError(t, before.Stop(context.Background(), keptTask.TaskID, nil))
	rec.WaitResults(t, keptTask.TaskID, gsetest.Wait, h...)
	require.Eventually(t, func() bool { return !alive(kept[0]) && !alive(kept[1]) }, 10*time.Second, 20*time.Millisecond)
}

// TestRunRecordNotWritableByTheAccount: the record lives outside the
// staged dir, owned by the login user with mode 0600, so a script running
// as another account cannot point the cleanup at someone else's processes.
func TestRunRecordNotWritableByTheAccount(t *testing.T) {
	env := requireSSH(t)
	rec := gsetest.NewRecorder()
	tr := newTestTransport(t, env, rec, transportOpts{cfg: testConfig()})
	h := env.hosts(t, 1)
	task := gse.ScriptTask{TaskID: "record-mode", Hosts: h, Language: gse.LangShell,
		Content: `d=$(dirname "$0"); stat -c '%a %U' "$d.run"; head -n1 "$d.run"`}
	require.NoError(t, tr.StartScript(context.Background(), task))
	res := rec.WaitResults(t, task.TaskID, gsetest.Wait, h...)[1]
	require.Equal(t, gse.HostStatusSuccess, res.Status, res.ErrorMsg)
	require.Equal(t, "600 "+env.user+"\nrecord-mode 1\n", rec.StrictOutput(t, task.TaskID, 1))
}
