// Package bustest holds the contract suite that every bus.Bus backend runs
// (Gitea's testLocker pattern): one body of behaviour, many backends.
package bustest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/reqid"
)

// Prefetch is the per-subscription prefetch newBus must configure; the suite
// checks that exactly this many events are handled at once.
const Prefetch = 4

// NewBus returns a bus for t. Every bus returned for the same t must be
// attached to the same broker (like processes sharing one RabbitMQ) and to
// nothing else; it must use Prefetch and a short redelivery delay, and be
// closed by a t.Cleanup.
type NewBus func(t *testing.T) bus.Bus

const (
	wait = 20 * time.Second
	tick = 10 * time.Millisecond
)

// Run runs the whole contract against newBus.
func Run(t *testing.T, newBus NewBus) {
	tests := []struct {
		name string
		fn   func(t *testing.T, newBus NewBus)
	}{
		{"CallReply", testCallReply},
		{"CallErrors", testCallErrors},
		{"RequestID", testRequestID},
		{"CallTimeout", testCallTimeout},
		{"NoHandler", testNoHandler},
		{"CompetingHandlers", testCompetingHandlers},
		{"HandlerConcurrency", testHandlerConcurrency},
		{"PublishGroups", testPublishGroups},
		{"CompetingConsumers", testCompetingConsumers},
		{"Redelivery", testRedelivery},
		{"Discard", testDiscard},
		{"DurableGroup", testDurableGroup},
		{"Broadcast", testBroadcast},
		{"Close", testClose},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newBus) })
	}
}

type addReq struct {
	A, B  int
	Local string `json:"-"` // must not cross the bus
}

type addResp struct {
	Sum   int
	Local string `json:"-"`
}

func testCallReply(t *testing.T, newBus NewBus) {
	server, client := newBus(t), newBus(t)
	require.NoError(t, bus.Handle(server, "calc.add", func(_ context.Context, r addReq) (addResp, error) {
		return addResp{Sum: r.A + r.B, Local: r.Local + "reply"}, nil
	}))
	require.NoError(t, bus.Handle(server, "calc.nothing", func(context.Context, addReq) (*addResp, error) {
		return nil, nil
	}))

	for _, b := range []bus.Bus{client, server} {
		resp, err := bus.Call[addReq, addResp](ctx(t), b, "calc.add", addReq{A: 2, B: 40, Local: "x"})
		require.NoError(t, err)
		require.Equal(t, addResp{Sum: 42}, resp, "only serialised fields cross the bus")
	}
	require.NoError(t, client.Call(ctx(t), "calc.add", addReq{A: 1}, nil), "a nil reply target ignores the reply")
	got, err := bus.Call[addReq, *addResp](ctx(t), client, "calc.nothing", addReq{})
	require.NoError(t, err)
	require.Nil(t, got)
	require.Error(t, client.Call(ctx(t), "calc.add", make(chan int), nil), "a request that does not encode")
}

func testCallErrors(t *testing.T, newBus NewBus) {
	server, client := newBus(t), newBus(t)
	errPlan := errs.New("plan.notFound", http.StatusNotFound, "plan not found")
	tests := []struct {
		name    string
		err     error
		is      error
		code    string
		field   string
		message string
	}{
		{"sentinel", errPlan, errPlan, "plan.notFound", "", "plan not found"},
		{"wrapped", fmt.Errorf("load plan 3: %w", errs.ErrNotFound.Withf("plan 3 not found")), errs.ErrNotFound, "common.notFound", "", "plan 3 not found"},
		{"field", errs.Invalid("name", "too long"), errs.ErrInvalid, "common.invalidArgument", "name", "too long"},
		{"plain", errors.New("open /var/lib/bkjob/secret\x00: disk on fire"), errs.ErrInternal, "common.internal", "", "internal error (request id req-plain)"},
	}
	for _, tt := range tests {
		require.NoError(t, server.Handle("fail."+tt.name, func(context.Context, json.RawMessage) (any, error) {
			return nil, tt.err
		}))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp addResp
			err := client.Call(reqid.With(ctx(t), "req-"+tt.name), "fail."+tt.name, addReq{}, &resp)
			require.ErrorIs(t, err, tt.is)
			var e *errs.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.code, e.Code)
			require.Equal(t, tt.field, e.Field)
			require.Contains(t, e.Message, tt.message)
			require.Equal(t, errs.From(tt.err).Status, e.Status)
			require.NotContains(t, err.Error(), "disk on fire", "an untyped error's text stays with its handler")
			require.NotContains(t, err.Error(), "/var/lib")
		})
	}
}

// testRequestID: the caller's request id reaches the handler's context, so
// what the handler logs can be found from the id the client was given.
func testRequestID(t *testing.T, newBus NewBus) {
	server, client := newBus(t), newBus(t)
	require.NoError(t, bus.Handle(server, "reqid.echo", func(ctx context.Context, _ addReq) (string, error) {
		return reqid.From(ctx), nil
	}))
	got, err := bus.Call[addReq, string](reqid.With(ctx(t), "req-42"), client, "reqid.echo", addReq{})
	require.NoError(t, err)
	require.Equal(t, "req-42", got)
	got, err = bus.Call[addReq, string](ctx(t), client, "reqid.echo", addReq{})
	require.NoError(t, err)
	require.Empty(t, got, "no id, none invented")
}

func testCallTimeout(t *testing.T, newBus NewBus) {
	server, client := newBus(t), newBus(t)
	sawDeadline := make(chan bool, 1)
	ended := make(chan struct{})
	require.NoError(t, server.Handle("slow", func(hctx context.Context, _ json.RawMessage) (any, error) {
		_, ok := hctx.Deadline()
		sawDeadline <- ok
		<-hctx.Done()
		close(ended)
		return nil, hctx.Err()
	}))
	cctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err := client.Call(cctx, "slow", addReq{}, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, errs.ErrTimeout)
	require.True(t, <-sawDeadline, "the handler gets the caller's deadline")
	require.Eventually(t, func() bool { return isClosed(ended) }, wait, tick, "the handler's context ends with the caller's deadline")
}

func testNoHandler(t *testing.T, newBus NewBus) {
	client, server := newBus(t), newBus(t)
	require.ErrorIs(t, client.Call(ctx(t), "nobody.home", addReq{}, nil), bus.ErrNoHandler)

	require.NoError(t, server.Handle("gone.soon", func(context.Context, json.RawMessage) (any, error) { return "ok", nil }))
	require.NoError(t, client.Call(ctx(t), "gone.soon", addReq{}, nil))
	require.NoError(t, server.Close())
	require.Eventually(t, func() bool {
		return errors.Is(client.Call(ctx(t), "gone.soon", addReq{}, nil), bus.ErrNoHandler)
	}, wait, tick, "a method whose handlers all closed has no handler")
}

func testCompetingHandlers(t *testing.T, newBus NewBus) {
	client := newBus(t)
	var mu sync.Mutex
	served := map[string]int{}
	for _, name := range []string{"one", "two"} {
		require.NoError(t, newBus(t).Handle("who", func(context.Context, json.RawMessage) (any, error) {
			mu.Lock()
			defer mu.Unlock()
			served[name]++
			return name, nil
		}))
	}
	answers := map[string]int{}
	calls := 0
	require.Eventually(t, func() bool {
		var who string
		require.NoError(t, client.Call(ctx(t), "who", nil, &who))
		answers[who]++
		calls++
		return len(answers) == 2
	}, wait, time.Millisecond, "both handlers get calls")
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, answers, served, "each call reached exactly one handler")
	require.Equal(t, calls, served["one"]+served["two"])
}

func testHandlerConcurrency(t *testing.T, newBus NewBus) {
	server, client := newBus(t), newBus(t)
	var inflight, peak atomic.Int32
	release := make(chan struct{})
	require.NoError(t, server.Handle("busy", func(hctx context.Context, _ json.RawMessage) (any, error) {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); {
			p = peak.Load() // another handler raised it first; compare again
		}
		select {
		case <-release:
			return "done", nil
		case <-hctx.Done():
			return nil, hctx.Err()
		}
	}))
	var calls sync.WaitGroup
	errc := make(chan error, 2*Prefetch)
	for range 2 * Prefetch {
		calls.Go(func() { errc <- client.Call(ctx(t), "busy", nil, nil) })
	}
	require.Eventually(t, func() bool { return inflight.Load() == Prefetch }, wait, tick,
		"a handler runs Prefetch calls at once")
	close(release)
	calls.Wait()
	close(errc)
	for err := range errc {
		require.NoError(t, err)
	}
	require.Equal(t, int32(Prefetch), peak.Load(), "and never more")
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return c
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
