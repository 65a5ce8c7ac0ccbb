package roles

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

// provision returns a Provision that records itself; failing maps a role
// to the phase ("provision" or "start") where it fails.
func (r *recorder) provision(name string, failing map[string]string) func(context.Context) (Service, error) {
	return func(context.Context) (Service, error) {
		if failing[name] == "provision" {
			return nil, errBoom
		}
		r.add("provision " + name)
		return &svc{name: name, rec: r, ready: true, failStart: failing[name] == "start"}, nil
	}
}

type svc struct {
	name      string
	rec       *recorder
	failStart bool
	ready     bool
}

func (s *svc) Start(context.Context) error {
	if s.failStart {
		return errBoom
	}
	s.rec.add("start " + s.name)
	return nil
}

func (s *svc) Stop(context.Context) error    { s.rec.add("stop " + s.name); return nil }
func (s *svc) Cleanup(context.Context) error { s.rec.add("cleanup " + s.name); return nil }
func (s *svc) Ready() bool                   { return s.ready }

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestLifecycleOrder(t *testing.T) {
	rec := &recorder{}
	m, err := NewManager(graph(rec, nil), "gateway,manage", discard())
	require.NoError(t, err)
	require.Equal(t, []string{"db", "cache", "bus", "manage", "gateway"}, m.Order())
	require.Equal(t, m.Order(), m.NotReady(), "nothing started yet")
	require.ErrorContains(t, m.StartAll(context.Background()), "Provision has not run")

	require.NoError(t, m.Provision(context.Background()))
	require.Equal(t, []string{"provision db", "provision cache", "provision bus", "provision manage", "provision gateway"}, rec.take())
	require.ErrorContains(t, m.Provision(context.Background()), "already provisioned")
	require.NoError(t, m.StartAll(context.Background()))
	require.Equal(t, []string{"start db", "start cache", "start bus", "start manage", "start gateway"}, rec.take())
	require.Empty(t, m.NotReady())
	m.StopAll(context.Background())
	require.Equal(t, []string{"stop gateway", "stop manage", "stop bus", "stop cache", "stop db",
		"cleanup gateway", "cleanup manage", "cleanup bus", "cleanup cache", "cleanup db"}, rec.take(),
		"every role stops before anything is cleaned up; both newest first")
	m.StopAll(context.Background())
	require.Empty(t, rec.take(), "a second stop does nothing")
}

func TestLifecycleFailures(t *testing.T) {
	tests := map[string]struct {
		failing map[string]string
		phase   func(m *Manager) error
		wantErr string
		want    []string
	}{
		"provision fails: what was built is cleaned up, nothing started": {
			failing: map[string]string{"manage": "provision"},
			phase:   func(m *Manager) error { return m.Provision(context.Background()) },
			wantErr: "provision role manage: boom",
			want:    []string{"provision db", "provision cache", "provision bus", "cleanup bus", "cleanup cache", "cleanup db"},
		},
		"start fails: started roles stop in reverse, all provisioned are cleaned up": {
			failing: map[string]string{"manage": "start"},
			phase: func(m *Manager) error {
				if err := m.Provision(context.Background()); err != nil {
					return err
				}
				return m.StartAll(context.Background())
			},
			wantErr: "start role manage: boom",
			want: []string{"provision db", "provision cache", "provision bus", "provision manage", "provision gateway",
				"start db", "start cache", "start bus", "stop bus", "stop cache", "stop db",
				"cleanup gateway", "cleanup manage", "cleanup bus", "cleanup cache", "cleanup db"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{}
			m, err := NewManager(graph(rec, tt.failing), "gateway,manage", discard())
			require.NoError(t, err)
			require.EqualError(t, tt.phase(m), tt.wantErr)
			require.Equal(t, tt.want, rec.take())
		})
	}
}

// failingSvc fails after it started, when the test says so.
type failingSvc struct {
	svc
	failed chan error
}

func (f *failingSvc) Failed() <-chan error { return f.failed }

func TestRoleFailingAfterStartIsReportedByName(t *testing.T) {
	rec := &recorder{}
	fs := &failingSvc{svc: svc{name: "execute", rec: rec, ready: true}, failed: make(chan error, 1)}
	table := graph(rec, nil)
	r := table["execute"]
	r.Provision = func(context.Context) (Service, error) { return fs, nil }
	table["execute"] = r
	m, err := NewManager(table, "all", discard())
	require.NoError(t, err)
	require.NoError(t, m.Provision(context.Background()))
	require.NoError(t, m.StartAll(context.Background()))
	select {
	case err := <-m.Failed():
		t.Fatalf("nothing failed yet: %v", err)
	default:
	}
	fs.failed <- errors.New("lost its consumer")
	var got error
	require.Eventually(t, func() bool {
		select {
		case got = <-m.Failed():
			return true
		default:
			return false
		}
	}, 5*time.Second, 10*time.Millisecond)
	require.EqualError(t, got, "role execute failed: lost its consumer")
	m.StopAll(context.Background())
	m.StopAll(context.Background()) // a second stop is harmless
}

func TestNotReadyNamesRolesStillComingUp(t *testing.T) {
	rec := &recorder{}
	table := graph(rec, nil)
	slow := &svc{name: "logsvr", rec: rec}
	r := table["logsvr"]
	r.Provision = func(context.Context) (Service, error) { return slow, nil }
	table["logsvr"] = r
	m, err := NewManager(table, "logsvr", discard())
	require.NoError(t, err)
	require.NoError(t, m.Provision(context.Background()))
	require.NoError(t, m.StartAll(context.Background()))
	require.Equal(t, []string{"logsvr"}, m.NotReady())
	m.StopAll(context.Background())
	require.Equal(t, []string{"bus", "logsvr"}, m.NotReady(), "stopped roles are not ready")
}
