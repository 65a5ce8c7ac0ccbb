package hub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/bkjob/bkjob/gse/agent"
)

// agentEnv, when set, turns the test binary into a `bkjob agent` process
// whose options are the variable's JSON, so tests can kill a real agent
// process and start it again.
const agentEnv = "BKJOB_HUB_TEST_AGENT"

func TestMain(m *testing.M) {
	if opts := os.Getenv(agentEnv); opts != "" {
		os.Exit(agentMain(opts))
	}
	os.Exit(m.Run())
}

func agentMain(raw string) int {
	var opts agent.Options
	if err := json.Unmarshal([]byte(raw), &opts); err != nil {
		fmt.Fprintln(os.Stderr, "decode agent options:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := agent.Run(ctx, opts, slog.New(slog.NewTextHandler(os.Stderr, nil))); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
