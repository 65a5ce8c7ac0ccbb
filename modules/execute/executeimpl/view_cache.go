package executeimpl

import (
	"context"
	"sync"

	"github.com/bkjob/bkjob/modules/execute"
)

// viewCache keeps the host rows of a few finished steps: the task page of
// a 10,000-host step asks for a page of hosts at every scroll, and reading
// 10,000 rows from the database each time is most of what a page costs.
// A finished step's rows change only with the step (a retry raises its
// execute count, ignore-error changes its status, a late result its end
// time), so the key holds those and an entry is never stale.
type viewCache struct {
	mu    sync.Mutex
	m     map[viewKey][]hostTask
	order []viewKey // oldest first
}

type viewKey struct {
	step         int64
	count, batch int // batch -1: every batch
	status       int
	latest       int
	end, total   int64
}

// viewCacheSteps bounds the cache: a 10,000-host step's rows are a few MB.
const viewCacheSteps = 8

func newViewCache() *viewCache { return &viewCache{m: map[viewKey][]hostTask{}} }

// rows is viewRows, from the cache for a finished step. The answer is the
// caller's to change.
func (c *viewCache) rows(ctx context.Context, st store, s *stepInstance, count int, batch *int) ([]hostTask, error) {
	if !execute.RunStatus(s.Status).Finished() {
		return st.viewRows(ctx, s.ID, count, batch)
	}
	k := viewKey{step: s.ID, count: count, batch: -1, status: s.Status, latest: s.ExecuteCount, end: s.EndTime, total: s.TotalTime}
	if batch != nil {
		k.batch = *batch
	}
	c.mu.Lock()
	cached, ok := c.m[k]
	c.mu.Unlock()
	if !ok {
		var err error
		if cached, err = st.viewRows(ctx, s.ID, count, batch); err != nil {
			return nil, err
		}
		c.put(k, cached)
	}
	return append([]hostTask(nil), cached...), nil
}

func (c *viewCache) put(k viewKey, rows []hostTask) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		return
	}
	if len(c.order) >= viewCacheSteps {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[k] = rows
	c.order = append(c.order, k)
}
