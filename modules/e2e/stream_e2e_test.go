package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLiveOutputOverSSE follows a host's log over Server-Sent Events, as the
// UI and `curl -N` do: lines arrive while the script still runs, and the
// stream ends once the host finished.
func TestLiveOutputOverSSE(t *testing.T) {
	c := StartCluster(t, "BKJOB_ADMIN_PASSWORD=stream-pass")
	agent := StartAgent(t, c, "127.0.0.31", AgentOptions{})
	gate := filepath.Join(t.TempDir(), "gate")
	script := fmt.Sprintf("echo first line; while [ ! -e %s ]; do sleep 0.1; done; echo second line", gate)
	job := c.runScript(t, script, []target{agent}, nil)

	login := &API{Base: c.URL}
	resp, body := login.do(t, http.MethodPost, "/api/web/login", map[string]string{"username": "admin", "password": "stream-pass"})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var session struct{ Token string }
	require.NoError(t, json.Unmarshal(body, &session))

	url := fmt.Sprintf("%s/api/web/logs/stream?step_instance_id=%d&execute_count=0&host_id=%d", c.URL, job.StepInstanceID, agent.HostID(t))
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+session.Token)
	stream, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer stream.Body.Close()
	require.Equal(t, http.StatusOK, stream.StatusCode)
	require.Contains(t, stream.Header.Get("Content-Type"), "text/event-stream")

	events := make(chan sseEvent, 64)
	go readSSE(stream, events)

	var seen strings.Builder
	waitEvent := func(what string, done func(sseEvent) bool) {
		t.Helper()
		deadline := time.After(60 * time.Second)
		for {
			select {
			case ev, ok := <-events:
				require.True(t, ok, "stream closed before %s; saw %q", what, seen.String())
				if ev.name == "log" {
					var l struct{ Data string }
					require.NoError(t, json.Unmarshal([]byte(ev.data), &l))
					seen.WriteString(l.Data)
				}
				if done(ev) {
					return
				}
			case <-deadline:
				t.Fatalf("no %s within 60s; saw %q", what, seen.String())
			}
		}
	}
	waitEvent("first line", func(sseEvent) bool { return strings.Contains(seen.String(), "first line") })
	require.NotContains(t, seen.String(), "second line", "the script is still waiting on its gate")

	require.NoError(t, os.WriteFile(gate, nil, 0o644))
	waitEvent("end", func(ev sseEvent) bool { return ev.name == "end" })
	require.Equal(t, "first line\nsecond line\n", seen.String(), "each byte exactly once, in order")
}

type sseEvent struct{ name, data string }

// readSSE parses an event stream into events until it ends.
func readSSE(resp *http.Response, out chan<- sseEvent) {
	defer close(out)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.name != "" || ev.data != "" {
				out <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, "event:"):
			ev.name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			ev.data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
		}
	}
}
