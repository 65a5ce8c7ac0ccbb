package gse_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/api/apitest"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/stretchr/testify/require"
)

// recordingTransport remembers what reached it.
type recordingTransport struct {
	mu      sync.Mutex
	scripts []gse.ScriptTask
	stops   []string
}

func (r *recordingTransport) StartScript(_ context.Context, t gse.ScriptTask) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scripts = append(r.scripts, t)
	return nil
}

func (r *recordingTransport) StartFile(context.Context, gse.FileTask) error {
	return errs.New("gse.busy", http.StatusConflict, "agent busy")
}

func (r *recordingTransport) Stop(_ context.Context, id string, _ []int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stops = append(r.stops, id)
	return nil
}

func (r *recordingTransport) AgentStatus(_ context.Context, hosts []gse.Host) ([]gse.AgentState, error) {
	out := make([]gse.AgentState, len(hosts))
	for i, h := range hosts {
		out[i] = gse.AgentState{HostID: h.ID, Alive: h.ID%2 == 1}
	}
	return out, nil
}

func TestTransportAndSinkOverTheBus(t *testing.T) {
	ctx := context.Background()
	b, err := bus.Open(ctx, config.Bus{Backend: "memory", CallTimeout: 5 * time.Second, Prefetch: 4, ExchangePrefix: "t"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	rec := &recordingTransport{}
	require.NoError(t, gse.Serve(b, rec))
	client := gse.NewClient(b)

	task := gse.ScriptTask{TaskID: "7:0:1", Hosts: []gse.Host{{ID: 1, IP: "127.0.0.2"}}, Language: gse.LangShell,
		Content: "echo hi", Account: "root", Timeout: time.Minute, Env: map[string]string{"A": "b"}}
	require.NoError(t, client.StartScript(ctx, task))
	require.Equal(t, []gse.ScriptTask{task}, rec.scripts, "the task arrives intact")

	err = client.StartFile(ctx, gse.FileTask{TaskID: "x"})
	require.Equal(t, "gse.busy", errs.From(err).Code, "typed errors cross the bus")

	require.NoError(t, client.Stop(ctx, "7:0:1", nil))
	require.Equal(t, []string{"7:0:1"}, rec.stops)

	states, err := client.AgentStatus(ctx, []gse.Host{{ID: 1}, {ID: 2}})
	require.NoError(t, err)
	require.True(t, states[0].Alive)
	require.False(t, states[1].Alive)

	// Without an execute process serving the sink, delivery fails and the
	// transport keeps its events.
	sink := gse.BusSink(b)
	events := []gse.Event{{Kind: gse.EventOutput, TaskID: "7:0:1", HostID: 1, Output: &gse.OutputChunk{Offset: 0, Data: []byte("hi\n")}}}
	require.Error(t, sink(ctx, events))

	var got []gse.Event
	require.NoError(t, gse.ServeSink(b, func(_ context.Context, ev []gse.Event) error { got = ev; return nil }))
	require.NoError(t, sink(ctx, events))
	require.Equal(t, events, got)
}

func (r *recordingTransport) Lost(_ context.Context, _ string, hosts []gse.Host) ([]int64, error) {
	out := make([]int64, 0, len(hosts))
	for _, h := range hosts {
		if h.ID%2 == 0 {
			out = append(out, h.ID)
		}
	}
	return out, nil
}

func TestLostOverTheBus(t *testing.T) {
	ctx := context.Background()
	b, err := bus.Open(ctx, config.Bus{Backend: "memory", CallTimeout: 5 * time.Second, Prefetch: 4, ExchangePrefix: "t"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	require.NoError(t, gse.Serve(b, &recordingTransport{}))
	lost, err := gse.NewClient(b).Lost(ctx, "1:0:1", []gse.Host{{ID: 1}, {ID: 2}, {ID: 4, SSH: &gse.SSHEndpoint{Addr: "127.0.0.1:22"}}})
	require.NoError(t, err)
	require.Equal(t, []int64{2, 4}, lost)
}

// TestDeclaredTransport: every declared Transport call answers the same on
// the transport and through the bus client.
func TestDeclaredTransport(t *testing.T) {
	b, err := bus.Open(context.Background(), config.Bus{Backend: "memory", CallTimeout: 5 * time.Second, Prefetch: 4, ExchangePrefix: "t"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	rec := &recordingTransport{}
	require.NoError(t, gse.Serve(b, rec))
	hosts := []gse.Host{{ID: 1, IP: "127.0.0.2"}, {ID: 2}}
	apitest.Contract(t, gse.Declarations(), rec, gse.NewClient(b),
		apitest.Call{Method: "AgentStatus", Args: []any{hosts}},
		apitest.Call{Method: "Lost", Args: []any{"1:0:1", hosts}},
		apitest.Call{Method: "StartFile", Args: []any{gse.FileTask{TaskID: "x"}}},
	)
}
