package e2e

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCallbackSurvivesKill: a job ends while its callback receiver is down,
// the server is killed -9 with the callback still pending, the receiver
// comes up, and the restarted server delivers the callback. Before that, a
// callback_url with the userinfo trick is refused at the API.
func TestCallbackSurvivesKill(t *testing.T) {
	c := StartCluster(t, "BKJOB_API__CALLBACK_ALLOW_PRIVATE=true",
		"BKJOB_API__CALLBACK_BACKOFF=200ms", "BKJOB_API__CALLBACK_BACKOFF_MAX=1s")
	a := StartAgent(t, c, "127.0.0.61", AgentOptions{})
	hookAddr := freeAddr(t) // nothing listens yet: the receiver is down

	refused := c.call(t, "fast_execute_script", scriptBody("echo hi", []target{a},
		map[string]any{"callback_url": "http://hooks.example.com@" + hookAddr + "/cb"}))
	require.False(t, refused.Result, "accepted: %s", refused.Data)
	require.NotZero(t, refused.Code)
	require.Contains(t, refused.Message, "callback_url")

	job := c.runScript(t, "echo hi", []target{a}, map[string]any{"callback_url": "http://" + hookAddr + "/cb"})
	require.Equal(t, runSuccess, c.waitJob(t, job.JobInstanceID, time.Minute).JobInstance.Status)
	poll(t, time.Minute, "no failed callback attempt logged", func() (bool, string) {
		return strings.Contains(c.Output.String(), "callback failed, will retry"), "no retry yet"
	})
	c.Kill(t)

	var (
		mu     sync.Mutex
		bodies [][]byte
	)
	ln, err := net.Listen("tcp", hookAddr)
	require.NoError(t, err)
	hook := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
	})}
	go func() { _ = hook.Serve(ln) }()
	t.Cleanup(func() { _ = hook.Close() })

	c.Restart(t)
	var got []byte
	poll(t, 2*time.Minute, "the restarted server never delivered the callback", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		if len(bodies) > 0 {
			got = bodies[0]
		}
		return got != nil, "no callback yet"
	})
	mu.Lock()
	got = bodies[0]
	mu.Unlock()
	var cb struct {
		JobInstanceID int64 `json:"job_instance_id"`
		Status        int   `json:"status"`
	}
	require.NoError(t, json.Unmarshal(got, &cb), "callback body %s", got)
	require.Equal(t, job.JobInstanceID, cb.JobInstanceID)
	require.Equal(t, runSuccess, cb.Status)
}
