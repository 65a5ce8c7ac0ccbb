package executeimpl

import (
	"context"
	"net/netip"
	"sort"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/platform/errs"
)

// ListStepInstanceHosts implements execute.Service: one page of one result
// group's hosts. The rows of the step are filtered and sorted here, in
// memory, as get_step_instance_status does (BenchmarkListStepHosts10k
// measures it at 10,000 hosts); only the page crosses the wire.
func (e *Engine) ListStepInstanceHosts(ctx context.Context, req execute.ListStepInstanceHostsRequest) (execute.StepHostPage, error) {
	length := execute.DefaultStepHostPage
	if req.Length != nil {
		if *req.Length < 1 || *req.Length > execute.MaxStepHostPage {
			return execute.StepHostPage{}, errs.Invalid("length", "must be 1..%d, got %d", execute.MaxStepHostPage, *req.Length)
		}
		length = *req.Length
	}
	if req.Start < 0 {
		return execute.StepHostPage{}, errs.Invalid("start", "must not be negative, got %d", req.Start)
	}
	_, s, err := e.loadStep(ctx, req.StepRef)
	if err != nil {
		return execute.StepHostPage{}, err
	}
	count, err := executeCount(req.ExecuteCount, s)
	if err != nil {
		return execute.StepHostPage{}, err
	}
	rows, err := e.filteredRows(ctx, s, count, req.Batch, req.SearchIP, req.Keyword)
	if err != nil {
		return execute.StepHostPage{}, err
	}
	rows = filterRows(rows, func(r hostTask) bool {
		return (req.Status == nil || *req.Status == r.Status) && (req.Tag == nil || *req.Tag == r.Tag)
	})
	sortHosts(rows)
	out := execute.StepHostPage{Start: req.Start, Length: length, Total: len(rows), Data: []execute.HostResult{}}
	// lo+length cannot overflow: lo ≤ len(rows) and the window is clamped
	// before adding (a start near MaxInt once wrapped Start+length negative).
	lo := min(req.Start, len(rows))
	hi := lo + min(length, len(rows)-lo)
	for _, r := range rows[lo:hi] {
		out.Data = append(out.Data, hostResult(r))
	}
	return out, nil
}

// sortHosts orders rows as the groups of get_step_instance_status list
// them (groupLess), then by address (numerically: 10.0.0.9 before
// 10.0.0.10), then by host id, so the order is total and stable across
// pages. Addresses are parsed once, not per comparison.
func sortHosts(rows []hostTask) {
	addrs := make([]netip.Addr, len(rows))
	for i, r := range rows {
		addrs[i], _ = netip.ParseAddr(r.IP) // unparsable: the zero Addr sorts first
	}
	sort.Sort(hostOrder{rows, addrs})
}

type hostOrder struct {
	rows  []hostTask
	addrs []netip.Addr
}

func (o hostOrder) Len() int { return len(o.rows) }
func (o hostOrder) Swap(i, j int) {
	o.rows[i], o.rows[j] = o.rows[j], o.rows[i]
	o.addrs[i], o.addrs[j] = o.addrs[j], o.addrs[i]
}
func (o hostOrder) Less(i, j int) bool {
	a, b := &o.rows[i], &o.rows[j]
	if a.Status != b.Status || a.Tag != b.Tag {
		return groupLess(a.Status, a.Tag, b.Status, b.Tag)
	}
	if c := o.addrs[i].Compare(o.addrs[j]); c != 0 {
		return c < 0
	}
	if a.IP != b.IP {
		return a.IP < b.IP
	}
	return a.HostID < b.HostID
}

// groupLess is the order of result groups: successes first, then running
// and waiting hosts, then failures by status, then tag.
func groupLess(statusA int, tagA string, statusB int, tagB string) bool {
	ra, rb := groupRank(statusA), groupRank(statusB)
	if ra != rb {
		return ra < rb
	}
	if statusA != statusB {
		return statusA < statusB
	}
	return tagA < tagB
}
