package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkServeColdStart measures `bkjob serve --roles=all` from exec to
// the first 200 from /readyz on a fresh data dir (SQLite created and
// migrated, admin bootstrapped), then the resident memory after a few idle
// seconds, and the binary size.
//
//	go test -run '^$' -bench ServeColdStart -benchtime 5x ./modules/e2e
func BenchmarkServeColdStart(b *testing.B) {
	var rssKB int64
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		addr := freeAddr(b)
		cmd := exec.Command(binary, "serve", "--http-addr", addr, "--data-dir", dir, "--log-level", "warn")
		cmd.Env = cleanEnv()
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		for {
			resp, err := http.Get("http://" + addr + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Since(start) > time.Minute {
				b.Fatal("not ready within a minute")
			}
			time.Sleep(2 * time.Millisecond)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-to-ready")
		b.StopTimer()
		time.Sleep(3 * time.Second)
		rssKB = vmRSS(cmd.Process.Pid)
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		b.StartTimer()
	}
	b.ReportMetric(float64(rssKB)/1024, "idle-rss-MB")
	if st, err := os.Stat(binary); err == nil {
		b.ReportMetric(float64(st.Size())/(1<<20), "binary-MB")
	}
}

// vmRSS reads a process's resident set size in KiB from /proc.
func vmRSS(pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
