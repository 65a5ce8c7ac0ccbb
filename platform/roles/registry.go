// Package roles resolves a --roles list against a literal role graph, starts
// the selected roles in dependency order and stops them in reverse. The
// model is Grafana dskit's modules manager: `all` and other groups are roles
// with dependencies and no service of their own; unknown names and cycles
// fail at boot.
package roles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
)

// Service is what a role runs. Start must return once the role is serving
// (long work goes to goroutines it owns); Stop must return within ctx.
type Service interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Readiness is implemented by services that become ready after Start returns.
type Readiness interface {
	Ready() bool
}

// Failer is implemented by services whose background work can fail after
// Start returned. Failed yields the error once; the process then stops
// with an error naming the role (one role's failure stops the process).
type Failer interface {
	Failed() <-chan error
}

// Role is one entry of the role table.
type Role struct {
	Name string
	Deps []string
	// Group roles (like `all`) have no service; they only pull in Deps.
	Group bool
	// Pending marks a role whose logic is not built yet; it starts and stops
	// cleanly and `bkjob roles` says so.
	Pending bool
	// Summary is shown by `bkjob roles`.
	Summary string
	// New builds the role's service. Nil for groups.
	New func() (Service, error)
}

// ErrUnknownRole is returned for a --roles entry that is not in the table.
var ErrUnknownRole = errors.New("unknown role")

// Table is the role graph, keyed by name.
type Table map[string]Role

// Names lists the roles in the table, sorted.
func (t Table) Names() []string {
	names := make([]string, 0, len(t))
	for n := range t {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Resolve expands a comma-separated roles list into every needed role in
// dependency order (dependencies first), groups excluded.
func (t Table) Resolve(list string) ([]string, error) {
	var order []string
	state := map[string]int{} // 0 unseen, 1 visiting, 2 done
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		r, ok := t[name]
		if !ok {
			return fmt.Errorf("%w %q; known roles: %s", ErrUnknownRole, name, strings.Join(t.Names(), ", "))
		}
		switch state[name] {
		case 1:
			return fmt.Errorf("role cycle: %s -> %s", strings.Join(path, " -> "), name)
		case 2:
			return nil
		}
		state[name] = 1
		for _, d := range r.Deps {
			if err := visit(d, append(path, name)); err != nil {
				return err
			}
		}
		state[name] = 2
		if !r.Group {
			order = append(order, name)
		}
		return nil
	}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if err := visit(name, nil); err != nil {
			return nil, err
		}
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("%w: no role selected; known roles: %s", ErrUnknownRole, strings.Join(t.Names(), ", "))
	}
	return order, nil
}

// Validate checks the whole table: every dependency exists and there is no cycle.
func (t Table) Validate() error {
	for _, n := range t.Names() {
		if _, err := t.Resolve(n); err != nil && !t[n].Group {
			return err
		}
	}
	return nil
}

// Manager runs the resolved roles.
type Manager struct {
	table   Table
	order   []string
	log     *slog.Logger
	mu      sync.Mutex
	started []started

	failed   chan error    // the first role failure after start
	stopping chan struct{} // closed by StopAll: failure watchers end
	stopOnce sync.Once
}

type started struct {
	name string
	svc  Service
}

// NewManager resolves list against table.
func NewManager(table Table, list string, log *slog.Logger) (*Manager, error) {
	order, err := table.Resolve(list)
	if err != nil {
		return nil, err
	}
	return &Manager{table: table, order: order, log: log,
		failed: make(chan error, 1), stopping: make(chan struct{})}, nil
}

// Order is the start order of the selected roles.
func (m *Manager) Order() []string { return m.order }

// StartAll builds and starts every role in order. When one fails, the ones
// already started are stopped and the error names the role.
func (m *Manager) StartAll(ctx context.Context) error {
	for _, name := range m.order {
		r := m.table[name]
		svc, err := r.New()
		if err != nil {
			m.StopAll(context.WithoutCancel(ctx))
			return fmt.Errorf("build role %s: %w", name, err)
		}
		if err := svc.Start(ctx); err != nil {
			m.StopAll(context.WithoutCancel(ctx))
			return fmt.Errorf("start role %s: %w", name, err)
		}
		m.mu.Lock()
		m.started = append(m.started, started{name, svc})
		m.mu.Unlock()
		if f, ok := svc.(Failer); ok {
			go m.watch(name, f.Failed())
		}
		if r.Pending {
			m.log.Warn("role started without logic", "role", name, "state", "not implemented yet")
		} else {
			m.log.Info("role started", "role", name)
		}
	}
	return nil
}

// Failed yields the first failure of a started role, as an error that
// names it; the caller stops the process.
func (m *Manager) Failed() <-chan error { return m.failed }

// watch passes on a role's failure until the roles are stopped.
func (m *Manager) watch(name string, failed <-chan error) {
	select {
	case err, ok := <-failed:
		if !ok {
			return
		}
		if err == nil {
			err = errors.New("stopped without an error")
		}
		m.log.Error("role failed", "role", name, "err", err)
		select {
		case m.failed <- fmt.Errorf("role %s failed: %w", name, err):
		default: // another role failed first
		}
	case <-m.stopping:
	}
}

// StopAll stops started roles in reverse order; errors are logged, not returned,
// so one role's failure does not keep the others running.
func (m *Manager) StopAll(ctx context.Context) {
	m.stopOnce.Do(func() { close(m.stopping) })
	m.mu.Lock()
	list := m.started
	m.started = nil
	m.mu.Unlock()
	for i := len(list) - 1; i >= 0; i-- {
		if err := list[i].svc.Stop(ctx); err != nil {
			m.log.Error("role stop failed", "role", list[i].name, "err", err)
			continue
		}
		m.log.Info("role stopped", "role", list[i].name)
	}
}

// NotReady lists the selected roles that are not ready; empty means ready.
func (m *Manager) NotReady() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	up := map[string]bool{}
	var out []string
	for _, s := range m.started {
		up[s.name] = true
		if r, ok := s.svc.(Readiness); ok && !r.Ready() {
			out = append(out, s.name)
		}
	}
	for _, n := range m.order {
		if !up[n] {
			out = append(out, n)
		}
	}
	return out
}
