package gsetest

import (
	"context"

	"github.com/bkjob/bkjob/gse"
)

// Lost implements gse.Transport: a host is held while its task runs here.
func (f *Fake) Lost(_ context.Context, taskID string, hosts []gse.Host) ([]int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int64
	for _, h := range hosts {
		if _, ok := f.running[fakeKey{taskID, h.ID}]; !ok {
			out = append(out, h.ID)
		}
	}
	return out, nil
}
