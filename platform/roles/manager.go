package roles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// Manager runs the resolved roles through their lifecycle: Provision every
// one in order, then StartAll in the same order, then StopAll (stop in
// reverse, then clean up in reverse).
type Manager struct {
	table Table
	order []string
	log   *slog.Logger
	// provisioned is written by Provision and StopAll only, both on the
	// caller's goroutine before and after the roles run.
	provisioned []entry

	mu      sync.Mutex // started is read by NotReady from HTTP handlers
	started []entry

	failed   chan error    // the first role failure after start
	stopping chan struct{} // closed by StopAll: failure watchers end
	stopOnce sync.Once
}

type entry struct {
	name string
	svc  Service
}

// NewManager validates table and resolves list against it, so a bad graph
// or an unknown name fails before anything is built.
func NewManager(table Table, list string, log *slog.Logger) (*Manager, error) {
	if err := table.Validate(); err != nil {
		return nil, err
	}
	order, err := table.Resolve(list)
	if err != nil {
		return nil, err
	}
	return &Manager{table: table, order: order, log: log,
		failed: make(chan error, 1), stopping: make(chan struct{})}, nil
}

// Order is the provision and start order of the selected roles, hidden
// dependencies included.
func (m *Manager) Order() []string { return m.order }

// Provision builds every role's service in order. When one fails, those
// already built are cleaned up and the error names the role.
func (m *Manager) Provision(ctx context.Context) error {
	if len(m.provisioned) > 0 {
		return errors.New("provision roles: already provisioned")
	}
	for _, name := range m.order {
		svc, err := m.table[name].Provision(ctx)
		if err == nil && svc == nil {
			err = errors.New("provision returned no service")
		}
		if err != nil {
			m.cleanup(context.WithoutCancel(ctx))
			return fmt.Errorf("provision role %s: %w", name, err)
		}
		m.provisioned = append(m.provisioned, entry{name, svc})
	}
	return nil
}

// StartAll starts every provisioned role in order. When one fails, the
// ones already started are stopped, everything is cleaned up and the
// error names the role.
func (m *Manager) StartAll(ctx context.Context) error {
	if len(m.provisioned) != len(m.order) {
		return errors.New("start roles: Provision has not run")
	}
	for _, e := range m.provisioned {
		if err := e.svc.Start(ctx); err != nil {
			m.StopAll(context.WithoutCancel(ctx))
			return fmt.Errorf("start role %s: %w", e.name, err)
		}
		m.mu.Lock()
		m.started = append(m.started, e)
		m.mu.Unlock()
		if f, ok := e.svc.(Failer); ok {
			go m.watch(e.name, f.Failed())
		}
		r := m.table[e.name]
		switch {
		case r.Hidden:
			m.log.Debug("role started", "role", e.name)
		case r.Pending:
			m.log.Warn("role started without logic", "role", e.name, "state", "not implemented yet")
		default:
			m.log.Info("role started", "role", e.name)
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

// StopAll stops started roles in reverse order, then cleans up every
// provisioned one in reverse order; errors are logged, not returned, so one
// role's failure does not keep the others running. A second call does nothing.
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
		if m.table[list[i].name].Hidden {
			m.log.Debug("role stopped", "role", list[i].name)
		} else {
			m.log.Info("role stopped", "role", list[i].name)
		}
	}
	m.cleanup(ctx)
}

// cleanup runs Cleanup of every provisioned service, newest first.
func (m *Manager) cleanup(ctx context.Context) {
	list := m.provisioned
	m.provisioned = nil
	for i := len(list) - 1; i >= 0; i-- {
		c, ok := list[i].svc.(Cleaner)
		if !ok {
			continue
		}
		if err := c.Cleanup(ctx); err != nil {
			m.log.Error("role cleanup failed", "role", list[i].name, "err", err)
		}
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
