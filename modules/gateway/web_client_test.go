package gateway

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/api/tsgen"
)

// TestWebClientFresh: the UI's TypeScript client (frontend/src/api/generated/)
// is the one the declarations give, file for file, so a renamed field fails
// the UI's type check instead of its users. BKJOB_UPDATE_DOCS=1 writes it
// (and removes files no group writes any more).
func TestWebClientFresh(t *testing.T) {
	dir := filepath.Join("..", "..", "frontend", "src", "api", "generated")
	want := tsgen.TypeScript(declared())
	if os.Getenv("BKJOB_UPDATE_DOCS") == "1" {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		for _, name := range tsFiles(t, dir) {
			if _, ok := want[name]; !ok {
				require.NoError(t, os.Remove(filepath.Join(dir, name)))
			}
		}
		for name, text := range want {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
		}
		return
	}
	const stale = "frontend/src/api/generated/ is stale: BKJOB_UPDATE_DOCS=1 go test ./modules/gateway -run TestWebClientFresh"
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	slices.Sort(names)
	require.Equal(t, names, tsFiles(t, dir), stale)
	for name, text := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Equal(t, text, string(got), "%s: %s", name, stale)
	}
}

// tsFiles are the .ts files in dir, sorted.
func tsFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".ts") {
			out = append(out, e.Name())
		}
	}
	return out
}
