package gse2_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gse2"
	"github.com/bkjob/bkjob/gse/gse2/fakegse"
	"github.com/bkjob/bkjob/platform/blob"
)

const (
	appCode   = "bkjob"
	appSecret = "s3cret"
)

// env is a fake GSE with three agents, each with its own root directory.
type env struct {
	fake  *fakegse.Server
	url   string
	roots map[string]string
	hosts []gse.Host
}

func newEnv(t *testing.T, agents ...fakegse.Agent) *env {
	t.Helper()
	fake := fakegse.New(appCode, appSecret)
	e := &env{fake: fake, roots: map[string]string{}}
	if len(agents) == 0 {
		agents = []fakegse.Agent{{ID: "a1"}, {ID: "a2"}, {ID: "a3"}}
	}
	for i, a := range agents {
		if a.Root == "" {
			a.Root = t.TempDir()
		}
		fake.AddAgent(a)
		e.roots[a.ID] = a.Root
		e.hosts = append(e.hosts, gse.Host{ID: int64(i + 1), CloudID: 0, IP: "10.0.0." + string(rune('1'+i)), AgentID: a.ID})
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(func() {
		srv.Close()
		fake.Close()
	})
	e.url = srv.URL
	return e
}

func fastConfig(url string) gse2.Config {
	fast := func(time.Duration) time.Duration { return 10 * time.Millisecond }
	return gse2.Config{URL: url, AppCode: appCode, AppSecret: appSecret,
		ScriptCadence: fast, FileCadence: fast, SinkRetry: 10 * time.Millisecond}
}

func newTransport(t *testing.T, cfg gse2.Config, rec *recorder, store blob.Store) *gse2.Transport {
	t.Helper()
	tr, err := gse2.New(cfg, gse2.Deps{Sink: rec.sink, Blob: store})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, tr.Close(ctx))
	})
	return tr
}

// recorder is a Sink keeping every event; refuse rejects the next n calls.
type recorder struct {
	mu     sync.Mutex
	events []gse.Event
	refuse int
}

func (r *recorder) sink(_ context.Context, events []gse.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refuse > 0 {
		r.refuse--
		return errors.New("sink busy")
	}
	r.events = append(r.events, events...)
	return nil
}

func (r *recorder) final(task string, host int64) *gse.HostResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.TaskID == task && e.HostID == host && e.Kind == gse.EventResult && gse.HostStatusFinished(e.Result.Status) {
			res := *e.Result
			return &res
		}
	}
	return nil
}

func (r *recorder) waitFinal(t testing.TB, task string, hosts ...gse.Host) map[int64]gse.HostResult {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, h := range hosts {
			if r.final(task, h.ID) == nil {
				return false
			}
		}
		return true
	}, 20*time.Second, 5*time.Millisecond, "hosts of task %s did not finish", task)
	out := map[int64]gse.HostResult{}
	for _, h := range hosts {
		out[h.ID] = *r.final(task, h.ID)
	}
	return out
}

func (r *recorder) output(t testing.TB, task string, host int64) string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.events {
		if e.TaskID == task && e.HostID == host && e.Kind == gse.EventOutput {
			require.Equal(t, int64(b.Len()), e.Output.Offset, "chunk offset")
			b.Write(e.Output.Data)
		}
	}
	return b.String()
}

func (r *recorder) files(task string, host int64) []gse.FileProgress {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []gse.FileProgress
	for _, e := range r.events {
		if e.TaskID == task && e.HostID == host && e.Kind == gse.EventFile {
			out = append(out, *e.File)
		}
	}
	return out
}

func (r *recorder) count(task string, host int64, kind gse.EventKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.TaskID == task && e.HostID == host && e.Kind == kind {
			n++
		}
	}
	return n
}
