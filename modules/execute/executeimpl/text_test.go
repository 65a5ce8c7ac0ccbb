package executeimpl_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
)

// testWideTagNextJob is issue 7's frozen host: a script printed
// job_success:[256 × 中]; the sink cut the tag at 256 bytes inside a
// character, MariaDB refused the row, the batch was retried for ever and
// every later job on the host stayed WAITING (SQLite stored the broken tag).
// Now the tag is cut on characters, stored whole, and the next job runs.
func testWideTagNextJob(t *testing.T, b executetest.Backend) {
	env := executetest.NewEnv(t, executetest.WithBackend(b))
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	wide := strings.Repeat("中", 256)
	line := "job_success:[" + wide + "]\n"
	env.Transport.Behave = func(r executetest.Run) executetest.Outcome {
		if r.Host.ID == hosts[1] {
			// A transport that sends bytes that are not UTF-8 at all.
			return executetest.Outcome{Output: []string{"bad \xff byte\n"}, Tag: "ok \xff" + wide}
		}
		// The output arrives split inside a character.
		return executetest.Outcome{Output: []string{line[:20], line[20:]}, Tag: wide}
	}
	c, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts...))
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)

	var tags []string
	for _, g := range stepStatus(t, env, c, nil).StepResultGroupList {
		require.True(t, utf8.ValidString(g.Tag), "tag %q", g.Tag)
		tags = append(tags, g.Tag)
	}
	require.ElementsMatch(t, []string{wide, "ok \uFFFD" + strings.Repeat("中", 252)}, tags)
	require.Equal(t, line, hostLog(t, env, c, hosts[0]))
	require.Equal(t, "bad \uFFFD byte\n", hostLog(t, env, c, hosts[1]), "an API answer is valid UTF-8")

	env.Transport.Behave = nil
	next, err := env.Engine.FastExecuteScript(ctx, scriptReq(hosts[0]))
	require.NoError(t, err)
	waitJob(t, env, next.JobInstanceID, execute.StatusSuccess)
}
