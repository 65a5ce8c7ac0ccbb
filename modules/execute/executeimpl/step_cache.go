package executeimpl

import (
	"context"
	"sync"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
)

// stepCache remembers the immutable facts of steps the sink writes for.
type stepCache struct {
	mu sync.Mutex
	m  map[int64]stepMeta
}

// stepCacheMax bounds the cache; it is simply reset when full.
const stepCacheMax = 10000

func newStepCache() *stepCache { return &stepCache{m: map[int64]stepMeta{}} }

func (c *stepCache) get(ctx context.Context, st store, stepID int64) (stepMeta, error) {
	c.mu.Lock()
	m, ok := c.m[stepID]
	c.mu.Unlock()
	if ok {
		return m, nil
	}
	m, err := st.stepMeta(ctx, stepID)
	if err != nil {
		return m, err
	}
	c.mu.Lock()
	if len(c.m) >= stepCacheMax {
		c.m = map[int64]stepMeta{}
	}
	c.m[stepID] = m
	c.mu.Unlock()
	return m, nil
}

// logRef is the log store's name for one run of a step.
func (m stepMeta) logRef(k taskKey) logsvr.StepRef {
	return logsvr.StepRef{JobInstanceID: m.JobInstanceID, StepInstanceID: k.StepInstanceID,
		ExecuteCount: k.ExecuteCount, Batch: k.Batch, JobCreated: time.UnixMilli(m.JobCreated).UTC()}
}
