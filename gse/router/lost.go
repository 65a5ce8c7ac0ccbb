package router

import (
	"context"
	"errors"

	"github.com/bkjob/bkjob/gse"
)

// Lost implements gse.Transport: each transport is asked about its own
// hosts, so an SSH host is never declared held by the agent transport.
func (r *Router) Lost(ctx context.Context, taskID string, hosts []gse.Host) ([]int64, error) {
	agent, ssh := split(hosts)
	if err := r.check(agent, ssh); err != nil {
		return nil, err
	}
	var lost []int64
	var errList []error
	for _, p := range []struct {
		t     gse.Transport
		hosts []gse.Host
	}{{r.agent, agent}, {r.ssh, ssh}} {
		if len(p.hosts) == 0 {
			continue
		}
		ids, err := p.t.Lost(ctx, taskID, p.hosts)
		if err != nil {
			errList = append(errList, err)
			continue
		}
		lost = append(lost, ids...)
	}
	return lost, errors.Join(errList...)
}
