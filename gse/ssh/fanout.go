package ssh

import (
	"context"
	"sync"

	"github.com/bkjob/bkjob/gse"
)

// maxProbes bounds the hosts one AgentStatus or Lost call works on at once.
const maxProbes = 64

// eachSSHHost calls fn for every host that has an SSH endpoint, at most
// maxProbes at a time, and returns when all calls have returned. A call
// not yet started when ctx ends is skipped.
func eachSSHHost(ctx context.Context, hosts []gse.Host, fn func(i int, h gse.Host)) {
	sem := make(chan struct{}, min(len(hosts)+1, maxProbes))
	var wg sync.WaitGroup
	for i, h := range hosts {
		if h.SSH == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				return
			}
			fn(i, h)
		}()
	}
	wg.Wait()
}
