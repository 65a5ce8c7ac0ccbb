package e2e

import (
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bkjob/bkjob/platform/testenv"
	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
)

// fixedIP is a host addressed by IP that the test does not run itself.
type fixedIP string

func (f fixedIP) ip() string { return string(f) }

// TestSplitDeployment runs the production shape: two `bkjob serve`
// processes sharing MySQL, Redis, RabbitMQ and MongoDB — host A with the
// gateway and manage, host B with execute, logsvr and gse (and B's agent).
// A script started through A's OpenAPI runs through B's engine and hub, and
// its log comes back through A; every cross-role call crosses RabbitMQ.
func TestSplitDeployment(t *testing.T) {
	dsn := uniqueMySQLDatabase(t, testenv.Require(t, "BKJOB_TEST_MYSQL_DSN"))
	redisURL := testenv.Require(t, "BKJOB_TEST_REDIS_URL")
	amqpURL := testenv.Require(t, "BKJOB_TEST_AMQP_URL")
	mongoURI := testenv.Require(t, "BKJOB_TEST_MONGO_URI")
	suffix := randHex(t, 6)
	key := make([]byte, 32)
	_, err := rand.Read(key)
	require.NoError(t, err)
	shared := []string{
		"BKJOB_DB__DRIVER=mysql", "BKJOB_DB__DSN=" + dsn,
		"BKJOB_CACHE__BACKEND=redis", "BKJOB_CACHE__REDIS_URL=" + redisURL,
		"BKJOB_LOCK__BACKEND=redis", "BKJOB_LOCK__REDIS_URL=" + redisURL,
		"BKJOB_BUS__BACKEND=rabbitmq", "BKJOB_BUS__AMQP_URL=" + amqpURL, "BKJOB_BUS__EXCHANGE_PREFIX=split" + suffix,
		"BKJOB_LOGSVR__BACKEND=mongodb", "BKJOB_LOGSVR__MONGO_URI=" + mongoURI, "BKJOB_LOGSVR__MONGO_DATABASE=split" + suffix,
		"BKJOB_CRYPTO__KEY=" + base64.StdEncoding.EncodeToString(key),
		"BKJOB_BLOB__DIR=" + t.TempDir(), // the "shared mount"
	}
	front := startCluster(t, ServerOptions{Args: []string{"--roles=gateway,manage"}}, shared...)
	back := StartServer(t, ServerOptions{
		Args: []string{"--roles=execute,logsvr,gse"},
		Env: append(append([]string{}, shared...),
			"BKJOB_GSE__LOCAL_AGENT__ENABLED=true", "BKJOB_GSE__LOCAL_AGENT__IP=127.0.0.77"),
	})
	require.Eventually(t, func() bool { return strings.Contains(back.Output.String(), "agent connected") },
		60*time.Second, 100*time.Millisecond, "B's agent never connected")

	host := fixedIP("127.0.0.77")
	job := front.runScript(t, "echo split-ok; echo job_success:[split]", []target{host}, nil)
	st := front.waitJob(t, job.JobInstanceID, 90*time.Second)
	require.Equal(t, 3, st.JobInstance.Status, "job succeeded")
	res := st.host(t, "127.0.0.77")
	require.Equal(t, 9, res.Status)
	require.Equal(t, "split", res.Tag)
	require.Equal(t, "split-ok\njob_success:[split]\n", front.hostLog(t, job, "127.0.0.77"))

	// Roles are really apart: A never opened a log store or a hub, B serves no OpenAPI.
	require.NotContains(t, front.Output.String(), "role=execute")
	require.NotContains(t, front.Output.String(), "agent connected")
	resp, _ := (&API{Base: back.URL}).do(t, "POST", "/api/v3/get_job_instance_list", map[string]any{})
	require.Equal(t, 404, resp.StatusCode, "the gateway role is not on B")
}

// uniqueMySQLDatabase creates a database for one test and drops it after,
// returning the DSN that points at it.
func uniqueMySQLDatabase(t *testing.T, base string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(base)
	require.NoError(t, err)
	name := "e2e_" + randHex(t, 6)
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })
	_, err = admin.Exec(fmt.Sprintf("CREATE DATABASE `%s` CHARACTER SET utf8mb4", name))
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec(fmt.Sprintf("DROP DATABASE `%s`", name)) })
	cfg.DBName = name
	cfg.ParseTime = true
	return cfg.FormatDSN()
}
