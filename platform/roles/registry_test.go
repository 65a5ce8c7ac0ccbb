package roles

import (
	"context"
	"errors"
	"io"
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

type svc struct {
	name     string
	rec      *recorder
	startErr error
	ready    bool
}

func (s *svc) Start(context.Context) error {
	if s.startErr != nil {
		return s.startErr
	}
	s.rec.add("start " + s.name)
	return nil
}

func (s *svc) Stop(context.Context) error { s.rec.add("stop " + s.name); return nil }
func (s *svc) Ready() bool                { return s.ready }

func testTable(rec *recorder, failing string) Table {
	mk := func(name string, deps ...string) Role {
		return Role{Name: name, Deps: deps, New: func() (Service, error) {
			s := &svc{name: name, rec: rec, ready: true}
			if name == failing {
				s.startErr = errors.New("boom")
			}
			return s, nil
		}}
	}
	return Table{
		"db":      mk("db"),
		"manage":  mk("manage", "db"),
		"execute": mk("execute", "db", "manage"),
		"gateway": mk("gateway", "manage"),
		"all":     {Group: true, Deps: []string{"gateway", "execute"}},
	}
}

func TestResolveOrdersDependenciesFirst(t *testing.T) {
	tab := testTable(&recorder{}, "")
	order, err := tab.Resolve("all")
	require.NoError(t, err)
	require.Equal(t, []string{"db", "manage", "gateway", "execute"}, order)

	order, err = tab.Resolve("execute, gateway")
	require.NoError(t, err)
	require.Equal(t, []string{"db", "manage", "execute", "gateway"}, order)
}

func TestResolveRejectsUnknownAndCycles(t *testing.T) {
	tab := testTable(&recorder{}, "")
	_, err := tab.Resolve("gateway,bogus")
	require.ErrorIs(t, err, ErrUnknownRole)
	require.ErrorContains(t, err, `"bogus"; known roles: all, db, execute, gateway, manage`)

	_, err = tab.Resolve(" , ")
	require.ErrorIs(t, err, ErrUnknownRole)

	tab["db"] = Role{Deps: []string{"execute"}}
	require.ErrorContains(t, tab.Validate(), "role cycle")
}

func TestStartStopOrderAndFailure(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := &recorder{}
	m, err := NewManager(testTable(rec, ""), "all", log)
	require.NoError(t, err)
	require.Equal(t, []string{"db", "manage", "gateway", "execute"}, m.NotReady(), "nothing started yet")
	require.NoError(t, m.StartAll(context.Background()))
	require.Empty(t, m.NotReady())
	m.StopAll(context.Background())
	require.Equal(t, []string{"start db", "start manage", "start gateway", "start execute",
		"stop execute", "stop gateway", "stop manage", "stop db"}, rec.events)

	rec = &recorder{}
	m, err = NewManager(testTable(rec, "gateway"), "all", log)
	require.NoError(t, err)
	err = m.StartAll(context.Background())
	require.ErrorContains(t, err, "start role gateway: boom")
	require.Equal(t, []string{"start db", "start manage", "stop manage", "stop db"}, rec.events,
		"roles started before the failure are stopped in reverse")
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
	table := testTable(rec, "")
	r := table["execute"]
	r.New = func() (Service, error) { return fs, nil }
	table["execute"] = r
	m, err := NewManager(table, "all", slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
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
