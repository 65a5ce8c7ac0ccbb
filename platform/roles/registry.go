// Package roles resolves a --roles list against a literal role graph,
// provisions the selected roles in dependency order, starts them in that
// order and stops them in reverse. The model is Grafana dskit's modules
// manager, with Caddy's lifecycle (Provision, then Start/Stop, then
// Cleanup): `all` and other groups are roles with dependencies and no
// service of their own; hidden roles are plumbing (database, bus, …) that
// exist only as dependencies; unknown names and cycles fail at boot.
package roles

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Service is what a provisioned role runs. Start must return once the role
// is serving (long work goes to goroutines it owns); Stop must return
// within ctx.
type Service interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Cleaner is implemented by services that hold something from Provision
// on (a connection, a goroutine) whether or not they were started. Cleanup
// runs after every started role has stopped, newest first, also when
// provisioning or starting failed half-way.
type Cleaner interface {
	Cleanup(ctx context.Context) error
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
	// Deps are always pulled in with the role, provisioned and started
	// before it and stopped after it.
	Deps []string
	// Uses are roles this one calls. They are never pulled in: a role
	// selected here too is provisioned and started first, so its
	// implementation can be handed over; one that is not is reached
	// through its bus client.
	Uses []string
	// Group roles (like `all`) have no service; they only pull in Deps.
	Group bool
	// Hidden roles are plumbing: built only as a dependency of a selected
	// role, never named in --roles and not listed by Names.
	Hidden bool
	// Pending marks a role whose logic is not built yet; it starts and stops
	// cleanly and `bkjob roles` says so.
	Pending bool
	// Summary is shown by `bkjob roles`.
	Summary string
	// Provision builds the role's service, its dependencies (and the roles
	// it uses, when selected) already provisioned. Nil for groups.
	Provision func(ctx context.Context) (Service, error)
}

// ErrUnknownRole is returned for a --roles entry that is not in the table.
var ErrUnknownRole = errors.New("unknown role")

// ErrBadGraph is returned when the table itself is wrong: an edge to a
// role it does not have, a cycle, a role without Provision.
var ErrBadGraph = errors.New("bad role graph")

// Table is the role graph, keyed by name.
type Table map[string]Role

// Names lists the roles a user may select (every role but hidden ones), sorted.
func (t Table) Names() []string {
	names := make([]string, 0, len(t))
	for n, r := range t {
		if !r.Hidden {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Resolve expands a comma-separated roles list into every role to run, in
// provision order: each role after its Deps and after the selected roles
// it Uses. Groups are left out, hidden dependencies are in.
func (t Table) Resolve(list string) ([]string, error) {
	var roots []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if r, ok := t[name]; !ok || r.Hidden {
			return nil, fmt.Errorf("%w %q; known roles: %s", ErrUnknownRole, name, strings.Join(t.Names(), ", "))
		}
		roots = append(roots, name)
	}
	selected := map[string]bool{}
	if err := t.pullIn(roots, selected); err != nil {
		return nil, err
	}
	order, err := t.order(roots, func(name string) bool { return selected[name] })
	if err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("%w: no role selected; known roles: %s", ErrUnknownRole, strings.Join(t.Names(), ", "))
	}
	return order, nil
}

// Validate checks the whole table: every edge names a role of the table,
// no cycle runs through Deps and Uses together (whatever is selected), and
// every role but groups can be provisioned.
func (t Table) Validate() error {
	for _, n := range t.allNames() {
		r := t[n]
		if !r.Group && r.Provision == nil {
			return fmt.Errorf("%w: role %s has no Provision", ErrBadGraph, n)
		}
		if r.Group && r.Hidden {
			return fmt.Errorf("%w: group %s is hidden: nobody could select it", ErrBadGraph, n)
		}
	}
	_, err := t.order(t.allNames(), func(string) bool { return true })
	return err
}

// pullIn marks roots and everything they depend on.
func (t Table) pullIn(names []string, selected map[string]bool) error {
	for _, n := range names {
		if selected[n] {
			continue
		}
		selected[n] = true
		if err := t.known(n, t[n].Deps, "depends on"); err != nil {
			return err
		}
		if err := t.pullIn(t[n].Deps, selected); err != nil {
			return err
		}
	}
	return nil
}

// order walks roots depth first: a role's Deps, then the Uses that are
// selected, then the role. A role met again while it is being walked
// closes a cycle.
func (t Table) order(roots []string, selected func(string) bool) ([]string, error) {
	var out []string
	state := map[string]int{} // 0 unseen, 1 walking, 2 done
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		switch state[name] {
		case 1:
			for i, p := range path {
				if p == name {
					path = path[i:] // the cycle only, not the way into it
					break
				}
			}
			return fmt.Errorf("%w: role cycle: %s -> %s", ErrBadGraph, strings.Join(path, " -> "), name)
		case 2:
			return nil
		}
		state[name] = 1
		r := t[name]
		path = append(path[:len(path):len(path)], name)
		if err := t.known(name, r.Deps, "depends on"); err != nil {
			return err
		}
		if err := t.known(name, r.Uses, "uses"); err != nil {
			return err
		}
		for _, d := range r.Deps {
			if err := visit(d, path); err != nil {
				return err
			}
		}
		for _, u := range r.Uses {
			if !selected(u) {
				continue
			}
			if err := visit(u, path); err != nil {
				return err
			}
		}
		state[name] = 2
		if !r.Group {
			out = append(out, name)
		}
		return nil
	}
	for _, n := range roots {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// known fails when one of edges is not a role of the table.
func (t Table) known(from string, edges []string, verb string) error {
	for _, e := range edges {
		if _, ok := t[e]; !ok {
			return fmt.Errorf("%w: role %s %s %q, which is not in the table", ErrBadGraph, from, verb, e)
		}
	}
	return nil
}

// allNames is every role, hidden ones included, sorted.
func (t Table) allNames() []string {
	names := make([]string, 0, len(t))
	for n := range t {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
