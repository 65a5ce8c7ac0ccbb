package gse_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/stretchr/testify/require"
)

// poisonSink takes every event except results whose tag is "poison"; it
// records what it took and how many calls it got. down makes every call
// fail as an outage would.
type poisonSink struct {
	mu    sync.Mutex
	calls int
	took  []gse.Event
	down  bool
	flaky int // refusals left before refusing nothing (a refusal that heals)
}

func (s *poisonSink) sink(_ context.Context, events []gse.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.down {
		return errs.ErrUnavailable.Withf("database is down")
	}
	if s.flaky > 0 {
		s.flaky--
		return gse.ErrEventsRefused.Withf("store events: Error 1366: Incorrect string value")
	}
	for _, ev := range events {
		if ev.Result != nil && ev.Result.Tag == "poison" {
			return gse.ErrEventsRefused.Withf("store events: Error 1366 (HY000): Incorrect string value: '\\xE4\\xB8' for column 'tag'")
		}
	}
	s.took = append(s.took, events...)
	return nil
}

func (s *poisonSink) summary() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ev := range s.took {
		line := fmt.Sprintf("%s %s", ev.TaskID, ev.Kind)
		if ev.Result != nil {
			line += fmt.Sprintf(" status=%d", ev.Result.Status)
		}
		out = append(out, line)
	}
	return out
}

func result(task, tag string) gse.Event {
	return gse.Event{Kind: gse.EventResult, TaskID: task, HostID: 7, Result: &gse.HostResult{Status: gse.HostStatusSuccess, Tag: tag}}
}

func output(task string) gse.Event {
	return gse.Event{Kind: gse.EventOutput, TaskID: task, HostID: 7, Output: &gse.OutputChunk{Data: []byte("hello\n")}}
}

func TestSinkGuard(t *testing.T) {
	cfg := gse.GuardConfig{MaxAttempts: 3, FirstWait: time.Millisecond, MaxWait: 2 * time.Millisecond}
	tests := []struct {
		name     string
		sink     *poisonSink
		events   []gse.Event
		wantErr  error
		took     []string
		calls    int
		setAside int64
	}{
		{
			name:   "taken at once",
			sink:   &poisonSink{},
			events: []gse.Event{output("a"), result("a", "ok")},
			took:   []string{"a output", "a result status=9"},
			calls:  1,
		},
		{
			name:   "a poison event is set aside and the events behind it delivered",
			sink:   &poisonSink{},
			events: []gse.Event{output("a"), result("b", "poison"), result("c", "fine")},
			// 3 refused batch offers, then a, b (refused), b's failure, c.
			took:     []string{"a output", "b result status=11", "c result status=9"},
			calls:    3 + 4,
			setAside: 1,
		},
		{
			name:     "a lone poison event fails its host",
			sink:     &poisonSink{},
			events:   []gse.Event{result("b", "poison")},
			took:     []string{"b result status=11"},
			calls:    3 + 1,
			setAside: 1,
		},
		{
			name:   "a refusal that heals within the attempts sets nothing aside",
			sink:   &poisonSink{flaky: 2},
			events: []gse.Event{result("a", "ok")},
			took:   []string{"a result status=9"},
			calls:  3,
		},
		{
			name:    "an outage is returned for the transport to retry, nothing set aside",
			sink:    &poisonSink{down: true},
			events:  []gse.Event{result("a", "ok")},
			wantErr: errs.ErrUnavailable,
			calls:   1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gse.NewGuard(tt.sink.sink, cfg, nil)
			err := g.Sink(t.Context(), tt.events)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.took, tt.sink.summary())
			require.Equal(t, tt.calls, tt.sink.calls)
			require.Equal(t, tt.setAside, g.SetAside())
		})
	}
}

func TestSinkGuardFailureNamesTheReason(t *testing.T) {
	s := &poisonSink{}
	g := gse.NewGuard(s.sink, gse.GuardConfig{MaxAttempts: 1}, nil)
	require.NoError(t, g.Sink(t.Context(), []gse.Event{result("b", "poison")}))
	require.Len(t, s.took, 1)
	r := s.took[0].Result
	require.Equal(t, gse.HostStatusFailed, r.Status)
	require.Equal(t, gse.ErrorCodeOther, r.ErrorCode)
	require.True(t, strings.HasPrefix(r.ErrorMsg, "the server could not store this host's result after 1 attempts"), r.ErrorMsg)
	require.Contains(t, r.ErrorMsg, "Incorrect string value")
}

func TestSinkGuardStopsWithContext(t *testing.T) {
	s := &poisonSink{}
	g := gse.NewGuard(s.sink, gse.GuardConfig{MaxAttempts: 100, FirstWait: time.Hour}, nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- g.Sink(ctx, []gse.Event{result("b", "poison")}) }()
	require.Eventually(t, func() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.calls == 1 }, 5*time.Second, 5*time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	require.Zero(t, g.SetAside())
}

// TestEventsRefusedOverTheBus: a refusal from a remote execute process is
// still a refusal in the gse process, so its guard can set the batch aside.
func TestEventsRefusedOverTheBus(t *testing.T) {
	ctx := t.Context()
	b, err := bus.Open(ctx, config.Bus{Backend: "memory", CallTimeout: 5 * time.Second, Prefetch: 4, ExchangePrefix: "t"}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	s := &poisonSink{}
	require.NoError(t, gse.ServeSink(b, s.sink))
	err = gse.BusSink(b)(ctx, []gse.Event{result("b", "poison")})
	require.ErrorIs(t, err, gse.ErrEventsRefused)

	g := gse.NewGuard(gse.BusSink(b), gse.GuardConfig{MaxAttempts: 2, FirstWait: time.Millisecond}, nil)
	require.NoError(t, g.Sink(ctx, []gse.Event{result("b", "poison"), result("c", "ok")}))
	require.Equal(t, []string{"b result status=11", "c result status=9"}, s.summary())
}
