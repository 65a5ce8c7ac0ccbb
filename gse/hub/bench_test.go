package hub_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/hub"
)

// BenchmarkDispatch measures the time from StartScript to the last host's
// final result for a trivial shell script (`true`, run by bash on every
// host) over 1, 10, 100 and 1000 agent connections, all in-process agents
// of this one test process (each with its own --ip 127.x.y.z and data dir).
//
//	go test ./gse/hub -run '^$' -bench BenchmarkDispatch -benchtime 5x
func BenchmarkDispatch(b *testing.B) {
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("agents=%d", n), func(b *testing.B) { benchDispatch(b, n) })
	}
}

func benchDispatch(b *testing.B, n int) {
	th := startHub(b, func(c *hub.Config) { c.HeartbeatInterval = 5 * time.Second })
	var (
		mu     sync.Mutex
		counts = map[string]int{}
		done   = map[string]chan struct{}{}
	)
	th.onEvents = func(events []gse.Event) {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range events {
			if ev.Kind != gse.EventResult || !gse.HostStatusFinished(ev.Result.Status) {
				continue
			}
			if ev.Result.Status != gse.HostStatusSuccess {
				b.Errorf("host %d: status %d: %s", ev.HostID, ev.Result.Status, ev.Result.ErrorMsg)
			}
			counts[ev.TaskID]++
			if counts[ev.TaskID] == n {
				close(done[ev.TaskID])
			}
		}
	}
	hosts := make([]gse.Host, 0, n)
	ips := make([]string, n)
	for i := range n {
		ips[i] = fmt.Sprintf("127.1.%d.%d", i/250, i%250+1)
		opts := th.agentOptions(b, ips[i])
		opts.ReconnectMin, opts.ReconnectMax = 100*time.Millisecond, 2*time.Second
		runAgent(b, opts)
	}
	require.Eventually(b, func() bool {
		rows, err := th.hub.Registry().List(context.Background(), 0)
		if err != nil || len(rows) < n {
			return false
		}
		hosts = hosts[:0]
		for _, r := range rows {
			hosts = append(hosts, gse.Host{ID: r.ID, IP: r.IP})
		}
		st, err := th.hub.AgentStatus(context.Background(), hosts)
		if err != nil {
			return false
		}
		for _, s := range st {
			if !s.Alive {
				return false
			}
		}
		return true
	}, 5*time.Minute, 50*time.Millisecond, "agents did not all connect")

	i := 0
	for b.Loop() {
		id := fmt.Sprintf("bench-%d-%d", n, i)
		i++
		ch := make(chan struct{})
		mu.Lock()
		done[id] = ch
		mu.Unlock()
		require.NoError(b, th.hub.StartScript(context.Background(), gse.ScriptTask{
			TaskID: id, Hosts: hosts, Language: gse.LangShell, Content: "true", Timeout: time.Minute,
		}))
		select {
		case <-ch:
		case <-time.After(5 * time.Minute):
			b.Fatalf("task %s: only %d of %d results", id, counts[id], n)
		}
	}
	b.ReportMetric(float64(n), "hosts/op")
}
