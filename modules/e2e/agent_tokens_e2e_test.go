package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/platform/testenv"
)

// agentToken is what create_agent_token and rotate_agent_token answer.
type agentToken struct {
	ID           int64  `json:"id"`
	BizID        int64  `json:"bk_biz_id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	LastUsedTime int64  `json:"last_used_time"`
	Token        string `json:"token"`
}

// TestAgentTokenRotationE2E enrols real `bkjob agent` processes with an
// enrolment token created through the API (stored in the database, not in
// the configuration): the host goes to the token's business; after a
// rotation the old token is refused for a new enrolment and the new one is
// accepted; the agent enrolled with the old token reconnects with its own
// credential; after deletion nothing enrols with it. Once in one process,
// once split (gateway+manage on A, the hub on B, MySQL and RabbitMQ between).
func TestAgentTokenRotationE2E(t *testing.T) {
	t.Run("SingleProcess", func(t *testing.T) {
		c := StartCluster(t)
		insertBusiness(t, c.DataDir, 2)
		agentTokenScenario(t, c, c.Server, "127.0.0.41")
	})
	t.Run("Split", func(t *testing.T) {
		dsn := uniqueMySQLDatabase(t, testenv.Require(t, "BKJOB_TEST_MYSQL_DSN"))
		key := make([]byte, 32)
		_, err := rand.Read(key)
		require.NoError(t, err)
		shared := []string{
			"BKJOB_DB__DRIVER=mysql", "BKJOB_DB__DSN=" + dsn,
			"BKJOB_BUS__BACKEND=rabbitmq", "BKJOB_BUS__AMQP_URL=" + testenv.Require(t, "BKJOB_TEST_AMQP_URL"),
			"BKJOB_BUS__EXCHANGE_PREFIX=tok" + randHex(t, 6),
			"BKJOB_CRYPTO__KEY=" + base64.StdEncoding.EncodeToString(key),
			"BKJOB_BLOB__DIR=" + t.TempDir(),
		}
		front := startCluster(t, ServerOptions{Args: []string{"--roles=gateway,manage"}}, shared...)
		back := StartServer(t, ServerOptions{Args: []string{"--roles=execute,logsvr,gse"}, Env: shared})
		insertBusinessMySQL(t, dsn, 2)
		agentTokenScenario(t, front, back, "127.0.0.51")
	})
}

// agentTokenScenario manages tokens through api's OpenAPI and enrols agents
// at hub (the same server, or the gse role of a split deployment) from
// ipBase, ipBase+1, … (the last digit counts up).
func agentTokenScenario(t *testing.T, api *Cluster, hub *Server, ipBase string) {
	ip := func(n int) string {
		head, last, _ := strings.Cut(ipBase, ".0.0.")
		var d int
		_, _ = fmt.Sscan(last, &d)
		return fmt.Sprintf("%s.0.0.%d", head, d+n)
	}
	biz2 := map[string]any{"bk_scope_type": "biz", "bk_scope_id": "2"}
	with := func(m map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	var first agentToken
	api.v3Into(t, "create_agent_token", with(biz2, "name", "rack 7", "description", "e2e"), &first)
	require.EqualValues(t, 2, first.BizID)
	require.True(t, strings.HasPrefix(first.Token, "bkjt_"), first.Token)
	oldFile := tokenFile(t, first.Token)

	// Enrolled with the stored token (the configured one is on the command
	// line too; --token-file wins): the host is business 2's.
	a := StartAgent(t, api, ip(0), AgentOptions{Server: hub.URL, Args: []string{"--token-file", oldFile}})
	require.Equal(t, readAgentID(t, a), agentOfHostIn(t, api, biz2, a.IP), "the host is in the token's business")
	require.Empty(t, agentOfHostIn(t, api, scope(nil), a.IP), "and not in business 1")
	var page struct {
		Data []agentToken `json:"data"`
	}
	api.v3Into(t, "list_agent_tokens", biz2, &page)
	require.Len(t, page.Data, 1)
	require.NotZero(t, page.Data[0].LastUsedTime, "last use recorded")
	require.Empty(t, page.Data[0].Token, "a list never carries the secret")

	// Hostile: business 1 cannot see, rotate or delete business 2's token.
	api.v3Into(t, "list_agent_tokens", scope(nil), &page)
	require.Empty(t, page.Data)
	for _, name := range []string{"rotate_agent_token", "delete_agent_token"} {
		env := api.call(t, name, scope(map[string]any{"id": first.ID}))
		require.False(t, env.Result, name)
		require.Equal(t, 1241002, env.Code, env.Message)
	}
	wrong := tokenFile(t, first.Token[:len(first.Token)-4]+"beef")
	tokenRefused(t, hub, wrong, ip(9))

	// Rotation: the old secret is refused for a new enrolment, the new one
	// is accepted, the agent enrolled before reconnects with its credential.
	var rotated agentToken
	api.v3Into(t, "rotate_agent_token", with(biz2, "id", first.ID), &rotated)
	require.NotEqual(t, first.Token, rotated.Token)
	tokenRefused(t, hub, oldFile, ip(1))
	b := StartAgent(t, api, ip(2), AgentOptions{Server: hub.URL, Args: []string{"--token-file", tokenFile(t, rotated.Token)}})
	require.Equal(t, readAgentID(t, b), agentOfHostIn(t, api, biz2, b.IP))
	a.Restart(t)
	require.Equal(t, readAgentID(t, a), agentOfHostIn(t, api, biz2, a.IP), "rotation leaves enrolled agents alone")

	// Deleted: nobody enrols with it; enrolled agents stay.
	api.v3(t, "delete_agent_token", with(biz2, "id", first.ID))
	tokenRefused(t, hub, tokenFile(t, rotated.Token), ip(3))
	b.Restart(t)
	a.Restart(t)
}

// tokenFile writes token to a 0600 file, as an operator would for
// `bkjob agent --token-file`.
func tokenFile(t *testing.T, token string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "enrol-token")
	require.NoError(t, os.WriteFile(path, []byte(token+"\n"), 0o600))
	return path
}

// tokenRefused runs a fresh agent with the token in file against hub and
// checks that it is refused at the door and exits.
func tokenRefused(t *testing.T, hub *Server, file, ip string) {
	t.Helper()
	before := strings.Count(hub.Output.String(), `msg="agent token refused"`)
	out, code := run(t, nil, "agent", "--server", hub.URL, "--token-file", file, "--ip", ip, "--data-dir", t.TempDir())
	require.NotEqual(t, 0, code, out)
	require.Contains(t, out, "token refused")
	require.Greater(t, strings.Count(hub.Output.String(), `msg="agent token refused"`), before, "the hub logs it")
}

// agentOfHostIn is the agent list_agents shows on the host at ip in the
// business of scopeFields ("" when none).
func agentOfHostIn(t *testing.T, c *Cluster, scopeFields map[string]any, ip string) string {
	t.Helper()
	var page struct {
		Data []struct {
			AgentID string `json:"bk_agent_id"`
			IP      string `json:"ip"`
			Revoked bool   `json:"revoked"`
		} `json:"data"`
	}
	c.v3Into(t, "list_agents", scopeFields, &page)
	for _, a := range page.Data {
		if a.IP == ip && !a.Revoked {
			return a.AgentID
		}
	}
	return ""
}

// insertBusinessMySQL is insertBusiness for a server on MySQL.
func insertBusinessMySQL(t *testing.T, dsn string, id int64) {
	t.Helper()
	ctx := context.Background()
	gdb, err := db.Open(ctx, config.DB{Driver: db.DriverMySQL, DSN: dsn, MaxOpenConns: 1}, "", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer func() { _ = db.Close(gdb) }()
	now := time.Now()
	require.NoError(t, gdb.Exec("INSERT INTO application (id, scope_type, scope_id, name, created_at, updated_at) VALUES (?, 'biz', ?, ?, ?, ?)",
		id, fmt.Sprint(id), fmt.Sprintf("Business %d", id), now, now).Error)
}
