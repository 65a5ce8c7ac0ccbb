package logsvr_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/logsvr/logsvrtest"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
)

var created = time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)

// stepStates is a StepLookup whose answers the test changes.
type stepStates struct {
	mu       sync.Mutex
	status   int
	finished bool
}

func (s *stepStates) set(status int, finished bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.finished = status, finished
}

func (s *stepStates) lookup(_ context.Context, step int64, exec, batch int, host int64) (logsvr.StepState, error) {
	if step != 11 {
		return logsvr.StepState{}, errs.ErrNotFound.Withf("step %d not found", step)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return logsvr.StepState{
		Ref:    logsvr.StepRef{JobInstanceID: 1, StepInstanceID: step, ExecuteCount: exec, Batch: max(batch, 0), JobCreated: created},
		Status: s.status, Finished: s.finished, ScopeType: "biz", ScopeID: "2",
	}, nil
}

// noWatch hides the fake's Watch, as a client of a remote logsvr does.
type noWatch struct{ logsvr.Service }

func (noWatch) Watch(context.Context, logsvr.StepRef, int64) (<-chan logsvr.ScriptChunk, error) {
	return nil, errs.ErrNotImplemented
}

func newServer(t *testing.T, svc logsvr.Service, states *stepStates) *httptest.Server {
	e := echo.New()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.HTTPErrorHandler = httpx.ErrorHandler(log)
	h := &logsvr.Handlers{Svc: svc, Lookup: states.lookup, Log: log, Poll: 20 * time.Millisecond, Heartbeat: time.Second}
	h.Register(e.Group("/api/web", testActor))
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

// testActor makes the caller an admin, or the user without grants that
// X-Test-User names.
func testActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := c.Request().Header.Get("X-Test-User"); u != "" {
			httpx.SetActor(c, httpx.Actor{Username: u})
		} else {
			httpx.SetActor(c, httpx.Actor{Username: "admin", AllScopes: true})
		}
		return next(c)
	}
}

type event struct {
	name, id string
	data     map[string]any
}

// events reads SSE events from body onto a channel.
func events(t *testing.T, body io.Reader) <-chan event {
	ch := make(chan event, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(body)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					ch <- ev
				}
				ev = event{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.data); err != nil {
					t.Errorf("bad event data %q: %v", line, err)
				}
			}
		}
	}()
	return ch
}

func next(t *testing.T, ch <-chan event) event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		require.True(t, ok, "stream ended early")
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
		return event{}
	}
}

func get(t *testing.T, url string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func key(host int64) logsvr.HostKey {
	return logsvr.HostKey{StepRef: logsvr.StepRef{JobInstanceID: 1, StepInstanceID: 11, JobCreated: created}, HostID: host}
}

func TestStreamLiveThenEnd(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(*logsvrtest.Fake) logsvr.Service
	}{
		{"watch", func(f *logsvrtest.Fake) logsvr.Service { return f }},
		{"polling a remote store", func(f *logsvrtest.Fake) logsvr.Service { return noWatch{f} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := logsvrtest.NewFake(1 << 20)
			states := &stepStates{status: 2}
			srv := newServer(t, tc.wrap(fake), states)
			ctx := context.Background()
			require.NoError(t, fake.WriteScript(ctx, []logsvr.ScriptChunk{{HostKey: key(5), Data: []byte("hello ")}}))

			resp := get(t, srv.URL+"/api/web/logs/stream?step_instance_id=11&host_id=5", nil)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
			ch := events(t, resp.Body)

			ev := next(t, ch)
			require.Equal(t, "log", ev.name)
			require.Equal(t, "hello ", ev.data["data"])
			require.Equal(t, "6", ev.id)
			ev = next(t, ch)
			require.Equal(t, "status", ev.name)
			require.EqualValues(t, 2, ev.data["status"])

			require.NoError(t, fake.WriteScript(ctx, []logsvr.ScriptChunk{{HostKey: key(5), Offset: 6, Data: []byte("world\n")}}))
			ev = next(t, ch)
			require.Equal(t, "log", ev.name)
			require.EqualValues(t, 6, ev.data["offset"])
			require.Equal(t, "world\n", ev.data["data"])

			require.NoError(t, fake.WriteScript(ctx, []logsvr.ScriptChunk{{HostKey: key(5), Offset: 12, Data: []byte("bye\n")}}))
			states.set(3, true)
			var got strings.Builder
			for {
				ev = next(t, ch)
				if ev.name == "log" {
					got.WriteString(ev.data["data"].(string))
					continue
				}
				if ev.name == "status" {
					require.EqualValues(t, 3, ev.data["status"])
					continue
				}
				break
			}
			require.Equal(t, "bye\n", got.String())
			require.Equal(t, "end", ev.name)
			require.EqualValues(t, 16, ev.data["offset"])
			_, open := <-ch
			require.False(t, open, "the response ends after the end event")
		})
	}
}

func TestStreamFromOffsetAndLastEventID(t *testing.T) {
	fake := logsvrtest.NewFake(1 << 20)
	states := &stepStates{status: 3, finished: true}
	srv := newServer(t, fake, states)
	require.NoError(t, fake.WriteScript(context.Background(), []logsvr.ScriptChunk{{HostKey: key(5), Data: []byte("0123456789")}}))
	for _, tc := range []struct {
		name   string
		query  string
		header map[string]string
		want   string
	}{
		{"offset", "&offset=4", nil, "456789"},
		{"last event id", "", map[string]string{"Last-Event-ID": "7"}, "789"},
		{"offset wins over last event id", "&offset=2", map[string]string{"Last-Event-ID": "7"}, "23456789"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, srv.URL+"/api/web/logs/stream?step_instance_id=11&host_id=5"+tc.query, tc.header)
			ch := events(t, resp.Body)
			ev := next(t, ch)
			require.Equal(t, "log", ev.name)
			require.Equal(t, tc.want, ev.data["data"])
			require.Equal(t, "status", next(t, ch).name)
			require.Equal(t, "end", next(t, ch).name)
		})
	}
}

func TestStreamAndExportBadRequests(t *testing.T) {
	srv := newServer(t, logsvrtest.NewFake(1<<20), &stepStates{})
	for _, tc := range []struct {
		path       string
		wantStatus int
		wantField  string
	}{
		{"/api/web/logs/stream?host_id=5", http.StatusBadRequest, "step_instance_id"},
		{"/api/web/logs/stream?step_instance_id=11", http.StatusBadRequest, "host_id"},
		{"/api/web/logs/stream?step_instance_id=11&host_id=5&offset=-1", http.StatusBadRequest, "offset"},
		{"/api/web/logs/stream?step_instance_id=x&host_id=5", http.StatusBadRequest, "step_instance_id"},
		{"/api/web/logs/stream?step_instance_id=12&host_id=5", http.StatusNotFound, ""},
		{"/api/web/logs/export?step_instance_id=11&execute_count=-2", http.StatusBadRequest, "execute_count"},
		{"/api/web/logs/export", http.StatusBadRequest, "step_instance_id"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp := get(t, srv.URL+tc.path, nil)
			require.Equal(t, tc.wantStatus, resp.StatusCode)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Contains(t, string(body), tc.wantField)
		})
	}
}

func TestExportZip(t *testing.T) {
	fake := logsvrtest.NewFake(1 << 20)
	srv := newServer(t, fake, &stepStates{status: 3, finished: true})
	a := logsvr.ScriptChunk{HostKey: key(1), Host: "0:10.0.0.1", Data: []byte("one\n")}
	b := logsvr.ScriptChunk{HostKey: key(2), Data: []byte("two\n")}
	require.NoError(t, fake.WriteScript(context.Background(), []logsvr.ScriptChunk{a, b}))

	resp := get(t, srv.URL+"/api/web/logs/export?step_instance_id=11&execute_count=0", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/zip", resp.Header.Get("Content-Type"))
	require.Contains(t, resp.Header.Get("Content-Disposition"), "bkjob_step_11_0_logs.zip")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		got[f.Name] = string(data)
	}
	require.Equal(t, map[string]string{"0_10.0.0.1.log": "one\n", "host_2.log": "two\n"}, got)
}

// TestStreamAndExportRefuseUngrantedUsers: a logged-in user not granted the
// step's scope reads nothing, from the stream or the export: 403 with the
// view_history permission on business 2 to apply for.
func TestStreamAndExportRefuseUngrantedUsers(t *testing.T) {
	fake := logsvrtest.NewFake(1 << 20)
	srv := newServer(t, fake, &stepStates{status: 3, finished: true})
	require.NoError(t, fake.WriteScript(context.Background(), []logsvr.ScriptChunk{{HostKey: key(1), Data: []byte("secret output\n")}}))
	for _, path := range []string{
		"/api/web/logs/stream?step_instance_id=11&host_id=1",
		"/api/web/logs/export?step_instance_id=11",
	} {
		t.Run(path, func(t *testing.T) {
			require.Equal(t, http.StatusOK, get(t, srv.URL+path, nil).StatusCode, "an admin reads it")
			resp := get(t, srv.URL+path, map[string]string{"X-Test-User": "alice"})
			require.Equal(t, http.StatusForbidden, resp.StatusCode)
			var body httpx.ErrorBody
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			require.Equal(t, httpx.V3Code(httpx.ErrPermissionDenied), body.Code)
			require.Contains(t, body.Message, "user alice")
			require.NotNil(t, body.Permission)
			act := body.Permission.Actions[0]
			require.Equal(t, "view_history", act.ID)
			require.Equal(t, []httpx.ResourceInstance{{Type: "biz", TypeName: "Business", ID: "2", Name: "2"}},
				act.RelatedResourceTypes[0].Instances[0])
		})
	}
}
