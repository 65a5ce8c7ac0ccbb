package gse2_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gse2"
	"github.com/bkjob/bkjob/gse/gse2/fakegse"
	"github.com/bkjob/bkjob/gse/gsetest"
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

// newTransport starts an adapter delivering to rec; when the test ends it
// is closed, and then rec must have seen no event after a host's final
// result and no output gap.
func newTransport(t *testing.T, cfg gse2.Config, rec *gsetest.Recorder, store blob.Store) *gse2.Transport {
	t.Helper()
	t.Cleanup(func() { require.Empty(t, rec.Violations(), "events out of order") })
	tr, err := gse2.New(cfg, gse2.Deps{Sink: rec.Sink, Blob: store})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, tr.Close(ctx))
	})
	return tr
}
