package gateway

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/api/tsgen"
)

// TestWebClientFresh: the UI's TypeScript client is the one the
// declarations give, so a renamed field fails the UI's type check instead
// of its users. BKJOB_UPDATE_DOCS=1 writes it.
func TestWebClientFresh(t *testing.T) {
	path := filepath.Join("..", "..", "frontend", "src", "api", "generated.ts")
	want := tsgen.TypeScript(declared())
	if os.Getenv("BKJOB_UPDATE_DOCS") == "1" {
		require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
		return
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, want, string(got), "frontend/src/api/generated.ts is stale: BKJOB_UPDATE_DOCS=1 go test ./modules/gateway -run TestWebClientFresh")
}
