package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Cluster is a `bkjob serve` with an API app and an agent token, and the
// built-in local agent off, so only the test's agents are hosts.
type Cluster struct {
	*Server
	Token string
	api   *API
	env   []string
}

// StartCluster starts the server; env adds to (and overrides) the cluster's
// own environment.
func StartCluster(t *testing.T, env ...string) *Cluster {
	t.Helper()
	return startCluster(t, ServerOptions{}, env...)
}

func startCluster(t *testing.T, opt ServerOptions, env ...string) *Cluster {
	t.Helper()
	secret, token := randHex(t, 16), randHex(t, 16)
	base := []string{
		"BKJOB_API_APP_CODE=e2e-app",
		"BKJOB_API_APP_SECRET=" + secret,
		"BKJOB_AGENT_TOKEN=" + token,
		"BKJOB_GSE__LOCAL_AGENT__ENABLED=false",
	}
	opt.Env = append(append(base, env...), opt.Env...)
	c := &Cluster{Token: token, env: opt.Env}
	c.Server = StartServer(t, opt)
	auth, err := json.Marshal(map[string]string{"bk_app_code": "e2e-app", "bk_app_secret": secret, "bk_username": "admin"})
	require.NoError(t, err)
	c.api = &API{Base: c.URL, Header: http.Header{"X-Bkapi-Authorization": {string(auth)}}}
	return c
}

// Restart starts the server again on the same address and data dir (after
// Kill or Stop) and waits until it is ready.
func (c *Cluster) Restart(t *testing.T) {
	t.Helper()
	c.Server = StartServer(t, ServerOptions{DataDir: c.DataDir, Addr: strings.TrimPrefix(c.URL, "http://"), Env: c.env})
	c.api.Base = c.URL
}

// envelope is bk-job's OpenAPI v3 response envelope.
type envelope struct {
	Result  bool            `json:"result"`
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// post POSTs body to /api/v3/<name> and returns the envelope, whatever it
// says. It never fails the test, so polling conditions can use it.
func (c *Cluster) post(name string, body any) (envelope, error) {
	var env envelope
	b, err := json.Marshal(body)
	if err != nil {
		return env, fmt.Errorf("encode %s request: %w", name, err)
	}
	req, err := http.NewRequest(http.MethodPost, c.api.Base+"/api/v3/"+name, bytes.NewReader(b))
	if err != nil {
		return env, fmt.Errorf("new %s request: %w", name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range c.api.Header {
		req.Header[k] = v
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return env, fmt.Errorf("call %s: %w", name, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return env, fmt.Errorf("read %s response: %w", name, err)
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return env, fmt.Errorf("decode %s response %q: %w", name, raw, err)
	}
	return env, nil
}

// call is post that fails the test on a transport or decoding error.
func (c *Cluster) call(t *testing.T, name string, body any) envelope {
	t.Helper()
	env, err := c.post(name, body)
	require.NoError(t, err)
	return env
}

// try calls an endpoint without failing the test and decodes its data into
// out; it reports whether that worked, and if not, why.
func (c *Cluster) try(name string, body, out any) (bool, string) {
	env, err := c.post(name, body)
	switch {
	case err != nil:
		return false, err.Error()
	case !env.Result:
		return false, fmt.Sprintf("%s: code %d: %s", name, env.Code, env.Message)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return false, fmt.Sprintf("decode %s data: %v", name, err)
	}
	return true, ""
}

// poll waits until cond reports done. cond must not fail the test (it runs
// on another goroutine); what it last saw is shown if it never gets there.
func poll(t *testing.T, within time.Duration, what string, cond func() (done bool, seen string)) {
	t.Helper()
	var (
		mu   sync.Mutex
		last string
	)
	ok := assert.Eventually(t, func() bool {
		done, seen := cond()
		mu.Lock()
		last = seen
		mu.Unlock()
		return done
	}, within, 100*time.Millisecond)
	if !ok {
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("%s; last seen: %s", what, last)
	}
}

// v3 calls an endpoint and fails the test unless result is true.
func (c *Cluster) v3(t *testing.T, name string, body any) json.RawMessage {
	t.Helper()
	env := c.call(t, name, body)
	require.True(t, env.Result, "%s: code %d: %s", name, env.Code, env.Message)
	return env.Data
}

// v3Into calls an endpoint and decodes its data into out.
func (c *Cluster) v3Into(t *testing.T, name string, body, out any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(c.v3(t, name, body), out))
}

// scope is the default business every request acts in.
func scope(fields map[string]any) map[string]any {
	out := map[string]any{"bk_scope_type": "biz", "bk_scope_id": "1"}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

func randHex(t testing.TB, n int) string {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}
