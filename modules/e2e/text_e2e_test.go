package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bkjob/bkjob/platform/testenv"
	"github.com/stretchr/testify/require"
)

// TestWideTag is issue 7's frozen host, end to end on MariaDB (and SQLite): a
// script prints job_success:[256 × 中]. The tag was cut at 256 bytes inside
// a character, MariaDB refused the row, the hub retried the batch for ever
// and the host's next job stayed WAITING. Now the tag is stored whole and
// the next job on the host succeeds.
func TestWideTag(t *testing.T) {
	t.Run("mysql", func(t *testing.T) {
		dsn := uniqueMySQLDatabase(t, testenv.Require(t, "BKJOB_TEST_MYSQL_DSN"))
		wideTagNextJob(t, StartCluster(t, "BKJOB_DB__DRIVER=mysql", "BKJOB_DB__DSN="+dsn), "127.0.0.51")
	})
	t.Run("sqlite", func(t *testing.T) { wideTagNextJob(t, StartCluster(t), "127.0.0.52") })
}

func wideTagNextJob(t *testing.T, c *Cluster, ip string) {
	a := StartAgent(t, c, ip, AgentOptions{})

	wide := strings.Repeat("中", 256)
	job := c.runScript(t, "echo 'job_success:["+wide+"]'", []target{a}, nil)
	st := c.waitJob(t, job.JobInstanceID, time.Minute)
	require.Equal(t, 3, st.JobInstance.Status, "job succeeded")
	res := st.host(t, a.IP)
	require.Equal(t, hostSuccess, res.Status)
	require.Equal(t, wide, res.Tag)
	log := c.hostLog(t, job, a.IP)
	require.True(t, utf8.ValidString(log))
	require.Equal(t, "job_success:["+wide+"]\n", log)

	next := c.runScript(t, "echo next", []target{a}, nil)
	st = c.waitJob(t, next.JobInstanceID, time.Minute)
	require.Equal(t, 3, st.JobInstance.Status, "the host's next job runs")
	require.Equal(t, "next\n", c.hostLog(t, next, a.IP))

	// Nothing was set aside, and the counter that would say so is served.
	resp, body := (&API{Base: c.URL}).do(t, http.MethodGet, "/metrics", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "bkjob_gse_events_set_aside_total 0")
}
