package logsvr

import (
	"context"
	"time"
)

// defaultClientPoll is how often a remote Watch polls.
const defaultClientPoll = 500 * time.Millisecond

// Watch polls the remote store: every Poll it lists the step's hosts and
// reads what grew since the last poll, delivering it as chunks (best effort,
// like the in-process Watch). It starts from what is stored when called.
func (c *Client) Watch(ctx context.Context, step StepRef, hostID int64) (<-chan ScriptChunk, error) {
	if err := step.Validate(); err != nil {
		return nil, err
	}
	type at struct {
		host  int64
		batch int
	}
	known := map[at]int64{}
	hosts, err := c.ListHosts(ctx, step)
	if err != nil {
		return nil, err
	}
	for _, h := range hosts {
		known[at{h.HostID, h.Batch}] = h.Size
	}
	poll := c.Poll
	if poll <= 0 {
		poll = defaultClientPoll
	}
	ch := make(chan ScriptChunk, 256)
	go func() {
		defer close(ch)
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			hosts, err := c.ListHosts(ctx, step)
			if err != nil {
				continue // the next poll tries again
			}
			for _, h := range hosts {
				k := at{h.HostID, h.Batch}
				if (hostID != 0 && h.HostID != hostID) || h.Size <= known[k] {
					continue
				}
				key := HostKey{StepRef: step, HostID: h.HostID}
				key.Batch = h.Batch
				for known[k] < h.Size {
					l, err := c.ReadScript(ctx, key, known[k], streamReadLimit)
					if err != nil || len(l.Content) == 0 {
						break
					}
					select {
					case ch <- ScriptChunk{HostKey: key, Host: l.Host, Offset: l.Offset, Data: l.Content}:
					default: // a slow reader sees the gap by offset
					}
					known[k] = l.Next
				}
			}
		}
	}()
	return ch, nil
}
