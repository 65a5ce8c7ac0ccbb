package e2e

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestUIShowsRunningVersion loads the embedded UI in headless Chromium and
// checks that the page rendered the version it fetched from the API. It
// needs the binary built with the UI (`go tool task ui` before the tests, as
// `go tool task test` does) and Chromium; in CI both are required.
func TestUIShowsRunningVersion(t *testing.T) {
	if !builtWithUI {
		requireInCI(t, "frontend/dist is missing: run `go tool task ui` first")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		requireInCI(t, "chromium is not installed (go tool task services:up installs it)")
	}
	s := StartServer(t, ServerOptions{Env: []string{"BKJOB_GSE__LOCAL_AGENT__ENABLED=false"}})

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=10000", "--dump-dom", s.URL+"/execute/task/1",
	).Output()
	require.NoError(t, err)
	dom := string(out)
	require.Contains(t, dom, `class="title">bkjob</h1>`, "the app mounted on a client-side route")
	require.Regexp(t, `data-test="version"[^>]*>[^<]+</span>`, dom, "the version fetched from /api/web/version is shown")
}

// requireInCI skips a test by hand but fails it when CI=true.
func requireInCI(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}
