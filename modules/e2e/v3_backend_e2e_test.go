package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/testenv"
)

// TestV3BackendUnavailable: while the database is out of reach, a v3 call
// answers bk-job's DB_ERROR (1252001, HTTP 200) with no address or driver
// text in the message; when it is back, the same call succeeds. The
// database is reached through a proxy the test closes.
func TestV3BackendUnavailable(t *testing.T) {
	dsn, dbProxy := mysqlBehindProxy(t)
	amqpURL := testenv.Require(t, "BKJOB_TEST_AMQP_URL")

	c := StartCluster(t,
		"BKJOB_DB__DRIVER=mysql", "BKJOB_DB__DSN="+dsn,
		"BKJOB_BUS__BACKEND=rabbitmq", "BKJOB_BUS__AMQP_URL="+amqpURL,
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
	// The detail goes to the server log (written as the answer leaves, so
	// it may trail it).
	require.Eventually(t, func() bool { return strings.Contains(c.Output.String(), "backend unavailable") },
		10*time.Second, 50*time.Millisecond, "the detail is logged on the server")

	dbProxy.Up()
	require.Eventually(t, func() bool {
		env, err = c.post("get_job_instance_list", list)
		return err == nil && env.Code == 0
	}, 30*time.Second, 100*time.Millisecond, "never recovered after the database came back: %+v", env)
}

// TestV3BrokerUnavailable: in a split deployment, while the gateway's
// broker is out of reach, a v3 call that crosses the bus answers bk-job's
// MQ_ERROR (1255001, HTTP 200) with no detail; when the broker is back,
// the same call succeeds. The gateway reaches RabbitMQ through a proxy the
// test closes; the engine's side keeps its own connection.
func TestV3BrokerUnavailable(t *testing.T) {
	dsn := uniqueMySQLDatabase(t, testenv.Require(t, "BKJOB_TEST_MYSQL_DSN"))
	redisURL := testenv.Require(t, "BKJOB_TEST_REDIS_URL")
	amqpURL := testenv.Require(t, "BKJOB_TEST_AMQP_URL")
	mongoURI := testenv.Require(t, "BKJOB_TEST_MONGO_URI")
	proxied, busProxy := amqpBehindProxy(t)
	suffix := randHex(t, 6)
	shared := []string{
		"BKJOB_DB__DRIVER=mysql", "BKJOB_DB__DSN=" + dsn,
		"BKJOB_CACHE__BACKEND=redis", "BKJOB_CACHE__REDIS_URL=" + redisURL,
		"BKJOB_LOCK__BACKEND=redis", "BKJOB_LOCK__REDIS_URL=" + redisURL,
		"BKJOB_BUS__BACKEND=rabbitmq", "BKJOB_BUS__EXCHANGE_PREFIX=v3mq" + suffix, "BKJOB_BUS__CALL_TIMEOUT=3s",
		"BKJOB_LOGSVR__BACKEND=mongodb", "BKJOB_LOGSVR__MONGO_URI=" + mongoURI, "BKJOB_LOGSVR__MONGO_DATABASE=v3mq" + suffix,
		"BKJOB_BLOB__DIR=" + t.TempDir(),
	}
	front := startCluster(t, ServerOptions{Args: []string{"--roles=gateway,manage"}},
		append(append([]string{}, shared...), "BKJOB_BUS__AMQP_URL="+proxied)...)
	StartServer(t, ServerOptions{
		Args: []string{"--roles=execute,logsvr,gse"},
		Env:  append(append([]string{}, shared...), "BKJOB_BUS__AMQP_URL="+amqpURL, "BKJOB_GSE__LOCAL_AGENT__ENABLED=false"),
	})
	now := time.Now().UnixMilli()
	list := scope(map[string]any{"create_time_start": now - 3600_000, "create_time_end": now + 3600_000})
	var env envelope
	var err error
	require.Eventually(t, func() bool {
		env, err = front.post("get_job_instance_list", list)
		return err == nil && env.Code == 0
	}, 30*time.Second, 100*time.Millisecond, "the engine never answered over the bus: %+v", env)

	busProxy.Down()
	var down envelope
	require.Eventually(t, func() bool {
		down, err = front.post("get_job_instance_list", list)
		return err == nil && down.Code == 1255001
	}, 60*time.Second, 100*time.Millisecond, "never answered 1255001 with the broker gone: %+v", down)
	require.False(t, down.Result)
	require.Equal(t, "message broker unavailable", down.Message)

	busProxy.Up()
	require.Eventually(t, func() bool {
		env, err = front.post("get_job_instance_list", list)
		return err == nil && env.Code == 0
	}, 60*time.Second, 100*time.Millisecond, "never recovered after the broker came back: %+v", env)
}

// TestV3RedisUnavailable: while Redis (the cache behind the credential
// checks' throttling) is out of reach, an app's first v3 call answers
// bk-job's REDIS_CONNECT_FAIL (1250001, HTTP 200) with no detail; when
// Redis is back, the call succeeds. Redis is reached through a proxy the
// test closes.
func TestV3RedisUnavailable(t *testing.T) {
	redisURL, err := url.Parse(testenv.Require(t, "BKJOB_TEST_REDIS_URL"))
	require.NoError(t, err)
	proxy := startTCPProxy(t, redisURL.Host)
	redisURL.Host = proxy.addr
	c := StartCluster(t, "BKJOB_CACHE__BACKEND=redis", "BKJOB_CACHE__REDIS_URL="+redisURL.String())
	now := time.Now().UnixMilli()
	list := scope(map[string]any{"create_time_start": now - 3600_000, "create_time_end": now + 3600_000})

	proxy.Down()
	var env envelope
	require.Eventually(t, func() bool {
		env, err = c.post("get_job_instance_list", list)
		return err == nil && env.Code == 1250001
	}, 30*time.Second, 100*time.Millisecond, "never answered 1250001 with redis gone: %+v", env)
	require.False(t, env.Result)
	require.Equal(t, "redis unavailable", env.Message)

	proxy.Up()
	require.Eventually(t, func() bool {
		env, err = c.post("get_job_instance_list", list)
		return err == nil && env.Code == 0
	}, 30*time.Second, 100*time.Millisecond, "never recovered after redis came back: %+v", env)
}
