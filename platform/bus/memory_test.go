package bus_test

import (
	"sync"
	"testing"
	"time"

	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/bus/bustest"
)

func TestMemory(t *testing.T) {
	var mu sync.Mutex
	first := map[*testing.T]*bus.Memory{}
	bustest.Run(t, func(t *testing.T) bus.Bus {
		mu.Lock()
		defer mu.Unlock()
		var b *bus.Memory
		if root := first[t]; root != nil {
			b = root.Peer()
		} else {
			b = bus.NewMemory(bus.Options{Prefetch: bustest.Prefetch, RetryMin: 20 * time.Millisecond})
			first[t] = b
		}
		t.Cleanup(func() { _ = b.Close() })
		return b
	})
}
