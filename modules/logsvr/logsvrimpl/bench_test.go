package logsvrimpl_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/stretchr/testify/require"
)

// benchHosts is how many hosts print at once in the ingestion benchmarks.
const benchHosts = 1000

// benchLine is one line of output (80 bytes).
var benchLine = []byte(fmt.Sprintf("%-79s\n", "2025-01-02 03:04:05 INFO deploying package bkjob-agent, step 3 of 7: unpacking"))

// BenchmarkIngest measures log ingestion into each store: every iteration,
// each of 1,000 hosts prints one 80-byte line. "batched" writes the round
// in one WriteScript call (as the engine does per poll); "per-host" makes
// one call per host from 8 goroutines. Reported: MB/s and chunks/s,
// including the final flush to disk or database.
//
//	go test -run '^$' -bench Ingest -benchtime 200x ./modules/logsvr/logsvrimpl/
//
// (source .services/env first for the mongodb store.)
func BenchmarkIngest(b *testing.B) {
	stores := []struct {
		name string
		cfg  func(b *testing.B) (config.Logsvr, bool)
	}{
		{"embedded", func(*testing.B) (config.Logsvr, bool) {
			return config.Logsvr{Backend: "embedded", MaxHostBytes: 1 << 40}, true
		}},
		{"mongodb", func(b *testing.B) (config.Logsvr, bool) {
			uri := os.Getenv("BKJOB_TEST_MONGO_URI")
			if uri == "" {
				return config.Logsvr{}, false
			}
			return config.Logsvr{Backend: "mongodb", MongoURI: uri, MongoDatabase: uniqueDB(b, uri), MaxHostBytes: 1 << 40}, true
		}},
	}
	for _, st := range stores {
		for _, mode := range []string{"batched", "per-host"} {
			b.Run(st.name+"/"+mode, func(b *testing.B) {
				cfg, ok := st.cfg(b)
				if !ok {
					b.Skip("BKJOB_TEST_MONGO_URI is not set")
				}
				svc := openStore(b, cfg, b.TempDir())
				ingest(b, svc, mode == "batched")
			})
		}
	}
}

func ingest(b *testing.B, svc logsvr.Store, batched bool) {
	ctx := context.Background()
	ref := logsvr.StepRef{JobInstanceID: 1, StepInstanceID: 1, JobCreated: time.Now()}
	keys := make([]logsvr.HostKey, benchHosts)
	for i := range keys {
		keys[i] = logsvr.HostKey{StepRef: ref, HostID: int64(i + 1)}
	}
	b.SetBytes(int64(benchHosts * len(benchLine)))
	b.ResetTimer()
	start := time.Now()
	if batched {
		chunks := make([]logsvr.ScriptChunk, benchHosts)
		for i := 0; i < b.N; i++ {
			for h := range chunks {
				chunks[h] = logsvr.ScriptChunk{HostKey: keys[h], Offset: int64(i * len(benchLine)), Data: benchLine}
			}
			require.NoError(b, svc.WriteScript(ctx, chunks))
		}
	} else {
		const workers = 8
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for h := w; h < benchHosts; h += workers {
					for i := 0; i < b.N; i++ {
						c := logsvr.ScriptChunk{HostKey: keys[h], Offset: int64(i * len(benchLine)), Data: benchLine}
						if err := svc.WriteScript(ctx, []logsvr.ScriptChunk{c}); err != nil {
							b.Error(err)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
	}
	require.NoError(b, svc.Flush(ctx))
	took := time.Since(start).Seconds()
	b.StopTimer()
	chunks := float64(b.N * benchHosts)
	b.ReportMetric(chunks/took, "chunks/s")
	b.ReportMetric(chunks*float64(len(benchLine))/took/1e6, "MB/s")
	l, err := svc.ReadScript(ctx, keys[benchHosts-1], 0, 0)
	require.NoError(b, err)
	require.Equal(b, int64(b.N*len(benchLine)), l.Size, "every line stored once")
}
