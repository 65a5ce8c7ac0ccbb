package router

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/errs"
)

// Router routes hosts to the transport that reaches them. Either transport
// may be nil when no host needs it; a task that needs a missing one is
// refused before anything starts.
type Router struct {
	agent gse.Transport
	ssh   gse.Transport
	guard *Guard
}

var _ gse.Transport = (*Router)(nil)

// Option configures a Router.
type Option func(*Router)

// WithGuard records every dispatch in g, whose Sink wrappers then refuse
// events for a host from any transport but the one its task went to.
func WithGuard(g *Guard) Option {
	return func(r *Router) { r.guard = g }
}

// New returns a router over the agent transport (hub or GSE 2.0) and the
// SSH transport.
func New(agent, ssh gse.Transport, opts ...Option) *Router {
	r := &Router{agent: agent, ssh: ssh}
	for _, o := range opts {
		o(r)
	}
	return r
}

// ErrNoTransport means a host needs a transport that is not configured.
var ErrNoTransport = errs.New("gse.noTransport", http.StatusServiceUnavailable, "no transport reaches this host")

// split divides hosts into those reached over SSH and the rest, keeping order.
func split(hosts []gse.Host) (agent, ssh []gse.Host) {
	for _, h := range hosts {
		if h.SSH != nil {
			ssh = append(ssh, h)
		} else {
			agent = append(agent, h)
		}
	}
	return agent, ssh
}

func (r *Router) check(agent, ssh []gse.Host) error {
	if len(agent) > 0 && r.agent == nil {
		return ErrNoTransport.Withf("host %d has no SSH endpoint and no agent transport is configured", agent[0].ID)
	}
	if len(ssh) > 0 && r.ssh == nil {
		return ErrNoTransport.Withf("host %d is reached over SSH and no SSH transport is configured", ssh[0].ID)
	}
	return nil
}

// part is one transport's share of a task.
type part struct {
	t       gse.Transport
	via     Via
	hosts   []gse.Host
	sources []gse.Host // file source hosts the part reads
	start   func(ctx context.Context) error
}

// startParts starts every part; when one fails, the parts already started
// are stopped again so the task is all or nothing. Each part's route is
// recorded before it starts, so its first events find it.
func (r *Router) startParts(ctx context.Context, taskID string, parts []part) error {
	var started []part
	for _, p := range parts {
		if len(p.hosts) == 0 {
			continue
		}
		if r.guard != nil {
			r.guard.record(taskID, p.hosts, p.sources, p.via)
		}
		if err := p.start(ctx); err != nil {
			if r.guard != nil {
				r.guard.forget(taskID, p.hosts)
			}
			for _, s := range started {
				if stopErr := s.t.Stop(context.WithoutCancel(ctx), taskID, hostIDs(s.hosts)); stopErr != nil {
					err = errors.Join(err, fmt.Errorf("stop started part of task %s: %w", taskID, stopErr))
				}
			}
			return err
		}
		started = append(started, p)
	}
	return nil
}

// StartScript implements gse.Transport.
func (r *Router) StartScript(ctx context.Context, task gse.ScriptTask) error {
	agent, ssh := split(task.Hosts)
	if err := r.check(agent, ssh); err != nil {
		return err
	}
	withHosts := func(t gse.Transport, via Via, hosts []gse.Host) part {
		sub := task
		sub.Hosts = hosts
		return part{t: t, via: via, hosts: hosts, start: func(ctx context.Context) error { return t.StartScript(ctx, sub) }}
	}
	return r.startParts(ctx, task.TaskID, []part{withHosts(r.agent, ViaAgent, agent), withHosts(r.ssh, ViaSSH, ssh)})
}

// StartFile implements gse.Transport. Targets are split like script hosts;
// a source host must be reachable by the transport of the targets it feeds,
// because each transport reads sources itself.
func (r *Router) StartFile(ctx context.Context, task gse.FileTask) error {
	agent, ssh := split(task.Targets)
	if err := r.check(agent, ssh); err != nil {
		return err
	}
	for i, s := range task.Sources {
		if s.Host == nil {
			continue
		}
		field := fmt.Sprintf("sources[%d].host", i)
		if s.Host.SSH != nil && len(agent) > 0 {
			return errs.ErrNotImplemented.Withf(
				"source host %d is reached over SSH and cannot feed agent targets; stage the file through the blob store",
				s.Host.ID).OnField(field)
		}
		if s.Host.SSH == nil && len(ssh) > 0 {
			return errs.ErrNotImplemented.Withf(
				"source host %d is reached by its agent and cannot feed SSH targets; stage the file through the blob store",
				s.Host.ID).OnField(field)
		}
	}
	var sources []gse.Host
	for _, s := range task.Sources {
		if s.Host != nil {
			sources = append(sources, *s.Host)
		}
	}
	withTargets := func(t gse.Transport, via Via, hosts []gse.Host) part {
		sub := task
		sub.Targets = hosts
		return part{t: t, via: via, hosts: hosts, sources: sources, start: func(ctx context.Context) error { return t.StartFile(ctx, sub) }}
	}
	return r.startParts(ctx, task.TaskID, []part{withTargets(r.agent, ViaAgent, agent), withTargets(r.ssh, ViaSSH, ssh)})
}

// Stop implements gse.Transport by asking every configured transport; each
// ignores hosts and tasks it does not run.
func (r *Router) Stop(ctx context.Context, taskID string, hostIDs []int64) error {
	var err error
	for _, t := range []gse.Transport{r.agent, r.ssh} {
		if t == nil {
			continue
		}
		if e := t.Stop(ctx, taskID, hostIDs); e != nil && !errors.Is(e, errs.ErrNotFound) {
			err = errors.Join(err, e)
		}
	}
	return err
}

// AgentStatus implements gse.Transport: each host is asked of the transport
// that reaches it; the answer keeps the order of hosts. Hosts no configured
// transport reaches are reported not alive.
func (r *Router) AgentStatus(ctx context.Context, hosts []gse.Host) ([]gse.AgentState, error) {
	agent, ssh := split(hosts)
	byHost := make(map[int64]gse.AgentState, len(hosts))
	for _, q := range []struct {
		t     gse.Transport
		hosts []gse.Host
	}{{r.agent, agent}, {r.ssh, ssh}} {
		if q.t == nil || len(q.hosts) == 0 {
			continue
		}
		states, err := q.t.AgentStatus(ctx, q.hosts)
		if err != nil {
			return nil, err
		}
		for _, s := range states {
			byHost[s.HostID] = s
		}
	}
	out := make([]gse.AgentState, len(hosts))
	for i, h := range hosts {
		s, ok := byHost[h.ID]
		if !ok {
			s = gse.AgentState{HostID: h.ID, AgentID: h.AgentID}
		}
		out[i] = s
	}
	return out, nil
}

func hostIDs(hosts []gse.Host) []int64 {
	ids := make([]int64, len(hosts))
	for i, h := range hosts {
		ids[i] = h.ID
	}
	return ids
}
