package executeimpl_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executeimpl"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/platform/config"
)

// hook is a callback receiver on loopback; reply gives the HTTP status of
// call n (1, 2, …).
type hook struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []hookCall
}

type hookCall struct {
	contentType string
	body        []byte
	status      int
}

func newHook(t *testing.T, reply func(n int, w http.ResponseWriter, r *http.Request) int) *hook {
	h := &hook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		n := len(h.calls) + 1
		h.mu.Unlock()
		status := reply(n, w, r)
		h.mu.Lock()
		h.calls = append(h.calls, hookCall{r.Header.Get("Content-Type"), b, status})
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) snapshot() []hookCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookCall(nil), h.calls...)
}

func (h *hook) port() string { return strconv.Itoa(h.srv.Listener.Addr().(*net.TCPAddr).Port) }

func statuses(list ...int) func(int, http.ResponseWriter, *http.Request) int {
	return func(n int, _ http.ResponseWriter, _ *http.Request) int {
		if n <= len(list) {
			return list[n-1]
		}
		return http.StatusOK
	}
}

// delivery is a callback_delivery row with its history decoded.
type delivery struct {
	State     int
	Attempts  int
	LastError string
	History   []struct {
		Attempt  int    `json:"attempt"`
		Encoding string `json:"encoding"`
		Status   int    `json:"http_status"`
		Error    string `json:"error"`
	}
}

func loadDelivery(t *testing.T, env *executetest.Env, jobID int64) (delivery, bool) {
	t.Helper()
	var rows []struct {
		State     int
		Attempts  int
		LastError string
		History   string
	}
	require.NoError(t, env.DB.Raw("SELECT state, attempts, last_error, history FROM callback_delivery WHERE job_instance_id = ?",
		jobID).Scan(&rows).Error)
	if len(rows) == 0 {
		return delivery{}, false
	}
	require.Len(t, rows, 1)
	d := delivery{State: rows[0].State, Attempts: rows[0].Attempts, LastError: rows[0].LastError}
	require.NoError(t, json.Unmarshal([]byte(rows[0].History), &d.History))
	return d, true
}

// waitDelivery waits until job's delivery row is in state (2 delivered, 3 given up).
func waitDelivery(t *testing.T, env *executetest.Env, jobID int64, state int) delivery {
	t.Helper()
	var d delivery
	require.Eventually(t, func() bool {
		var ok bool
		d, ok = loadDelivery(t, env, jobID)
		return ok && d.State == state
	}, 20*time.Second, 10*time.Millisecond, "delivery of job %d never reached state %d: %+v", jobID, state, d)
	return d
}

func jobCallbackStatus(t *testing.T, env *executetest.Env, jobID int64) int {
	var status int
	require.NoError(t, env.DB.Raw("SELECT callback_status FROM task_instance WHERE id = ?", jobID).Scan(&status).Error)
	return status
}

func runWithCallback(t *testing.T, env *executetest.Env, url string) execute.JobCreated {
	t.Helper()
	hosts := executetest.AddHosts(t, env.DB, 1, 1)
	req := scriptReq(hosts...)
	req.CallbackURL = url
	c, err := env.Engine.FastExecuteScript(ctx, req)
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	return c
}

// shortRetry makes a failing callback give up after a few quick attempts.
func shortRetry(c *config.Config) { c.API.CallbackRetryFor = 300 * time.Millisecond }

// testCallbackRetryThenSuccess: the first attempt gets 500 as JSON and as
// a form, the retry after the backoff gets 200; every POST is recorded.
func testCallbackRetryThenSuccess(t *testing.T, b executetest.Backend) {
	h := newHook(t, statuses(500, 500))
	env := executetest.NewEnv(t, executetest.WithBackend(b), executetest.WithCallbackAllowPrivate())
	c := runWithCallback(t, env, h.srv.URL+"/done")
	d := waitDelivery(t, env, c.JobInstanceID, 2)
	require.Equal(t, 2, d.Attempts)
	require.Empty(t, d.LastError)
	require.Len(t, d.History, 3)
	for i, want := range []struct {
		attempt int
		enc     string
		status  int
	}{{1, "json", 500}, {1, "form", 500}, {2, "json", 200}} {
		require.Equal(t, want.attempt, d.History[i].Attempt)
		require.Equal(t, want.enc, d.History[i].Encoding)
		require.Equal(t, want.status, d.History[i].Status)
	}
	require.Equal(t, 2, jobCallbackStatus(t, env, c.JobInstanceID), "task_instance says done")
	calls := h.snapshot()
	require.Len(t, calls, 3)
	require.Equal(t, "application/json", calls[2].contentType)
	var body struct {
		JobInstanceID int64 `json:"job_instance_id"`
		Status        int   `json:"status"`
	}
	require.NoError(t, json.Unmarshal(calls[2].body, &body))
	require.Equal(t, c.JobInstanceID, body.JobInstanceID)
	require.Equal(t, int(execute.StatusSuccess), body.Status)
}

// testCallbackRedirectNotFollowed: a 307 to another (internal) address is
// a failed attempt (and no reason to try the form encoding); the body never
// reaches the redirect target.
func testCallbackRedirectNotFollowed(t *testing.T, b executetest.Backend) {
	internal := newHook(t, statuses())
	redirect := newHook(t, func(_ int, w http.ResponseWriter, _ *http.Request) int {
		w.Header().Set("Location", internal.srv.URL+"/admin")
		return http.StatusTemporaryRedirect
	})
	env := executetest.NewEnv(t, executetest.WithBackend(b), executetest.WithCallbackAllowPrivate(),
		executetest.WithConfig(shortRetry))
	c := runWithCallback(t, env, redirect.srv.URL+"/cb")
	d := waitDelivery(t, env, c.JobInstanceID, 3)
	require.GreaterOrEqual(t, d.Attempts, 2, "retried before giving up")
	for _, a := range d.History {
		require.Equal(t, http.StatusTemporaryRedirect, a.Status)
	}
	require.Contains(t, d.LastError, "307")
	require.Empty(t, internal.snapshot(), "the redirect was not followed")
	require.Len(t, redirect.snapshot(), d.Attempts)
	require.Equal(t, 3, jobCallbackStatus(t, env, c.JobInstanceID), "task_instance says failed")
}

// testCallbackNameResolvedToLoopback: a public-looking name that resolves
// to loopback passes the API check (names are not resolved there) and is
// refused when dialled, allowlisted or not; api.callback_allow_private
// lets it through.
func testCallbackNameResolvedToLoopback(t *testing.T, b executetest.Backend) {
	h := newHook(t, statuses())
	lookup := func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	opts := executeimpl.Options{ReconcileInterval: 200 * time.Millisecond, DispatchLease: time.Second,
		TimeoutGrace: 2 * time.Second, StopGrace: 2 * time.Second, CallbackLookup: lookup}
	url := "http://hooks.example.com:" + h.port() + "/cb"
	cases := []struct {
		name      string
		env       []executetest.EnvOption
		delivered bool
	}{
		{"refused", nil, false},
		{"refused though allowlisted", []executetest.EnvOption{executetest.WithCallbackAllowlist("http://hooks.example.com:" + h.port())}, false},
		{"allowed with allow_private", []executetest.EnvOption{executetest.WithCallbackAllowPrivate()}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.snapshot())
			env := executetest.NewEnv(t, append([]executetest.EnvOption{executetest.WithBackend(b),
				executetest.WithOptions(opts), executetest.WithConfig(shortRetry)}, tc.env...)...)
			c := runWithCallback(t, env, url)
			if tc.delivered {
				waitDelivery(t, env, c.JobInstanceID, 2)
				require.Len(t, h.snapshot(), before+1)
				return
			}
			d := waitDelivery(t, env, c.JobInstanceID, 3)
			require.Contains(t, d.LastError, "loopback")
			require.Len(t, h.snapshot(), before, "nothing reached the receiver")
		})
	}
}

// testCallbackAcrossRestart: a callback that failed while the receiver was
// down is still pending after the engine stops, and the next engine
// delivers it.
func testCallbackAcrossRestart(t *testing.T, b executetest.Backend) {
	var up atomic.Bool
	h := newHook(t, func(int, http.ResponseWriter, *http.Request) int {
		if up.Load() {
			return http.StatusOK
		}
		return http.StatusServiceUnavailable
	})
	env := executetest.NewEnv(t, executetest.WithBackend(b), executetest.WithCallbackAllowPrivate(),
		executetest.WithConfig(func(c *config.Config) { c.API.CallbackBackoff = 100 * time.Millisecond }))
	c := runWithCallback(t, env, h.srv.URL+"/cb")
	require.Eventually(t, func() bool { d, ok := loadDelivery(t, env, c.JobInstanceID); return ok && d.Attempts >= 2 },
		20*time.Second, 10*time.Millisecond)
	require.NoError(t, env.Engine.Stop(ctx))
	d, _ := loadDelivery(t, env, c.JobInstanceID)
	require.Equal(t, 0, d.State, "still pending")
	stoppedAt := len(h.snapshot())

	up.Store(true)
	env.NewEngine(t)
	d = waitDelivery(t, env, c.JobInstanceID, 2)
	calls := h.snapshot()
	require.Greater(t, len(calls), stoppedAt)
	require.Equal(t, http.StatusOK, calls[len(calls)-1].status)
	require.Equal(t, http.StatusOK, d.History[len(d.History)-1].Status)
	require.Equal(t, "json", d.History[len(d.History)-1].Encoding)
}

// testCallbackTwoEngines: two engines share the deliveries; each callback
// is claimed and sent once.
func testCallbackTwoEngines(t *testing.T, b executetest.Backend) {
	h := newHook(t, statuses())
	env := executetest.NewEnv(t, executetest.WithBackend(b), executetest.WithCallbackAllowPrivate())
	env.NewEngine(t)
	hosts := executetest.AddHosts(t, env.DB, 1, 1)
	var jobs []int64
	for range 6 {
		req := scriptReq(hosts...)
		req.CallbackURL = h.srv.URL + "/cb"
		c, err := env.Engine.FastExecuteScript(ctx, req)
		require.NoError(t, err)
		jobs = append(jobs, c.JobInstanceID)
	}
	for _, id := range jobs {
		waitJob(t, env, id, execute.StatusSuccess)
		d := waitDelivery(t, env, id, 2)
		require.Equal(t, 1, d.Attempts, "job %d sent once", id)
	}
	seen := map[int64]int{}
	for _, c := range h.snapshot() {
		var body struct {
			JobInstanceID int64 `json:"job_instance_id"`
		}
		require.NoError(t, json.Unmarshal(c.body, &body))
		seen[body.JobInstanceID]++
	}
	for _, id := range jobs {
		require.Equal(t, 1, seen[id], "job %d", id)
	}
}

// testCallbackQueuedByOlderVersion: a row migration 0075 made from a job an
// older version had left pending has no payload; it is built when sent.
func testCallbackQueuedByOlderVersion(t *testing.T, b executetest.Backend) {
	h := newHook(t, statuses())
	env := executetest.NewEnv(t, executetest.WithBackend(b), executetest.WithCallbackAllowPrivate())
	c := runWithCallback(t, env, "")
	now := time.Now().UnixMilli()
	require.NoError(t, env.DB.Exec(`INSERT INTO callback_delivery (job_instance_id, url, payload, state, attempts,
  next_attempt_at, last_error, history, create_time, update_time) VALUES (?, ?, '', 0, 0, 0, '', '[]', ?, ?)`,
		c.JobInstanceID, h.srv.URL+"/cb", now, now).Error)
	waitDelivery(t, env, c.JobInstanceID, 2)
	calls := h.snapshot()
	require.Len(t, calls, 1)
	var body struct {
		JobInstanceID int64 `json:"job_instance_id"`
		Status        int   `json:"status"`
		Steps         []struct {
			StepInstanceID int64 `json:"step_instance_id"`
		} `json:"step_instance_list"`
	}
	require.NoError(t, json.Unmarshal(calls[0].body, &body))
	require.Equal(t, c.JobInstanceID, body.JobInstanceID)
	require.Equal(t, int(execute.StatusSuccess), body.Status)
	require.Len(t, body.Steps, 1)
	require.Equal(t, c.StepInstanceID, body.Steps[0].StepInstanceID)
}

// testCallbackAllowlistTightened: a callback queued while its receiver was
// down is checked against api.callback_allowlist again when sent; after a
// restart with an allowlist that no longer has its origin it is given up,
// with the reason in its history, and the receiver (back up) gets nothing.
func testCallbackAllowlistTightened(t *testing.T, b executetest.Backend) {
	var up atomic.Bool
	h := newHook(t, func(int, http.ResponseWriter, *http.Request) int {
		if up.Load() {
			return http.StatusOK
		}
		return http.StatusServiceUnavailable
	})
	origin := "http://127.0.0.1:" + h.port()
	env := executetest.NewEnv(t, executetest.WithBackend(b), executetest.WithCallbackAllowPrivate(),
		executetest.WithCallbackAllowlist(origin),
		executetest.WithConfig(func(c *config.Config) {
			c.API.CallbackBackoff = 100 * time.Millisecond
			c.API.CallbackRetryFor = 3 * time.Second // refusals retry like failures, then the row is given up
		}))
	c := runWithCallback(t, env, origin+"/cb")
	require.Eventually(t, func() bool { d, ok := loadDelivery(t, env, c.JobInstanceID); return ok && d.Attempts >= 1 },
		20*time.Second, 10*time.Millisecond)
	require.NoError(t, env.Engine.Stop(ctx))
	d, _ := loadDelivery(t, env, c.JobInstanceID)
	require.Equal(t, 0, d.State, "still pending")
	stoppedAt := len(h.snapshot())

	up.Store(true)
	env.Config.API.CallbackAllowlist = []string{"https://hooks.example.com"}
	env.NewEngine(t)
	d = waitDelivery(t, env, c.JobInstanceID, 3)
	require.Len(t, h.snapshot(), stoppedAt, "a refused origin gets no POST")
	last := d.History[len(d.History)-1]
	require.Contains(t, last.Error, "allowlist")
	require.Zero(t, last.Status)
	require.Contains(t, d.LastError, "allowlist")
	require.Equal(t, 3, jobCallbackStatus(t, env, c.JobInstanceID))
}
