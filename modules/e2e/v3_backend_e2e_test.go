package e2e

import (
	"net/url"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/testenv"
)

// TestV3BackendUnavailable: while the database is out of reach, a v3 call
// answers bk-job's DB_ERROR (1252001, HTTP 200) with no address or driver
// text in the message; when it is back, the same call succeeds. The
// database is reached through a proxy the test closes.
func TestV3BackendUnavailable(t *testing.T) {
	dsn := uniqueMySQLDatabase(t, testenv.Require(t, "BKJOB_TEST_MYSQL_DSN"))
	amqpURL := testenv.Require(t, "BKJOB_TEST_AMQP_URL")
	dbCfg, err := mysql.ParseDSN(dsn)
	require.NoError(t, err)
	dbProxy := startTCPProxy(t, dbCfg.Addr)
	dbCfg.Addr = dbProxy.addr
	amqp, err := url.Parse(amqpURL)
	require.NoError(t, err)

	c := StartCluster(t,
		"BKJOB_DB__DRIVER=mysql", "BKJOB_DB__DSN="+dbCfg.FormatDSN(),
		"BKJOB_BUS__BACKEND=rabbitmq", "BKJOB_BUS__AMQP_URL="+amqp.String(),
		"BKJOB_BUS__EXCHANGE_PREFIX=v3down"+randHex(t, 6),
	)
	now := time.Now().UnixMilli()
	list := scope(map[string]any{"create_time_start": now - 3600_000, "create_time_end": now + 3600_000})
	env, err := c.post("get_job_instance_list", list)
	require.NoError(t, err)
	require.Equal(t, 0, env.Code, env.Message)

	dbProxy.Down()
	var down envelope
	require.Eventually(t, func() bool {
		down, err = c.post("get_job_instance_list", list)
		return err == nil && down.Code == 1252001
	}, 30*time.Second, 100*time.Millisecond, "never answered 1252001 with the database gone: %+v", down)
	require.False(t, down.Result)
	require.Equal(t, "database unavailable", down.Message)
	require.Contains(t, c.Output.String(), "backend unavailable")

	dbProxy.Up()
	require.Eventually(t, func() bool {
		env, err = c.post("get_job_instance_list", list)
		return err == nil && env.Code == 0
	}, 30*time.Second, 100*time.Millisecond, "never recovered after the database came back: %+v", env)
}
