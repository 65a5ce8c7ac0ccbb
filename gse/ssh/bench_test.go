package ssh

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bkjob/bkjob/gse"
)

// finalCounter is a Sink that signals when n hosts of a task have a
// terminal result.
type finalCounter struct {
	mu     sync.Mutex
	want   int
	got    map[string]int
	failed int
	done   chan string
}

func (f *finalCounter) sink(_ context.Context, events []gse.Event) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range events {
		if e.Kind != gse.EventResult || !gse.HostStatusFinished(e.Result.Status) {
			continue
		}
		if e.Result.Status != gse.HostStatusSuccess {
			f.failed++
		}
		f.got[e.TaskID]++
		if f.got[e.TaskID] == f.want {
			f.done <- e.TaskID
		}
	}
	return nil
}

// BenchmarkScriptSSH measures dispatch to last result of a trivial script
// on 10 and 100 SSH hosts (127.0.0.x addresses of one test sshd setup):
// "warm" reuses pooled connections, "cold" dials every host each time.
//
//	go test ./gse/ssh -run '^$' -bench ScriptSSH -benchtime 20x
func BenchmarkScriptSSH(b *testing.B) {
	env := requireSSH(b)
	for _, n := range []int{10, 100} {
		for _, mode := range []string{"warm", "cold"} {
			b.Run(fmt.Sprintf("hosts=%d/%s", n, mode), func(b *testing.B) {
				hosts := env.hosts(b, n)
				counter := &finalCounter{want: n, got: map[string]int{}, done: make(chan string, 1)}
				newTr := func() *Transport {
					tr, err := New(Config{}, Deps{
						Credentials: StaticCredentials{"1": {PrivateKey: env.key}},
						KnownHosts:  NewFileKnownHosts(env.knownHosts),
						Sink:        counter.sink,
					})
					if err != nil {
						b.Fatal(err)
					}
					return tr
				}
				closeTr := func(tr *Transport) {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					if err := tr.Close(ctx); err != nil {
						b.Fatal(err)
					}
				}
				run := func(tr *Transport, i int) {
					task := gse.ScriptTask{TaskID: fmt.Sprintf("bench-%s-%d-%d", mode, n, i), Hosts: hosts,
						Language: gse.LangShell, Content: "echo ok", Timeout: time.Minute}
					if err := tr.StartScript(context.Background(), task); err != nil {
						b.Fatal(err)
					}
					select {
					case <-counter.done:
					case <-time.After(2 * time.Minute):
						b.Fatalf("task %s did not finish", task.TaskID)
					}
				}
				tr := newTr()
				if mode == "warm" {
					run(tr, -1) // open the pool
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if mode == "cold" && i > 0 {
						b.StopTimer()
						closeTr(tr)
						tr = newTr()
						b.StartTimer()
					}
					run(tr, i)
				}
				b.StopTimer()
				closeTr(tr)
				if counter.failed > 0 {
					b.Fatalf("%d host runs did not succeed", counter.failed)
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/task")
			})
		}
	}
}
