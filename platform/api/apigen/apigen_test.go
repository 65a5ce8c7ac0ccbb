package main

import (
	"bufio"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const generateLine = "//go:generate go run github.com/bkjob/bkjob/platform/api/apigen"

// TestGeneratedFilesFresh regenerates every module's api_gen.go and
// api_client_gen.go and fails
// when one differs from what is committed: a declaration changed without
// `go generate`.
func TestGeneratedFilesFresh(t *testing.T) {
	found := 0
	walk := func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		args, ok := generateArgs(t, path)
		if !ok {
			return nil
		}
		found++
		fl := flag.NewFlagSet("apigen", flag.ContinueOnError)
		contract := fl.String("contract", "Service", "")
		module := fl.String("module", "", "")
		client := fl.String("client", "Client", "")
		require.NoError(t, fl.Parse(args), path)
		dir := filepath.Dir(path)
		want, err := Generate(dir, options{contract: *contract, module: *module, client: *client})
		require.NoError(t, err, dir)
		for _, f := range want {
			got, err := os.ReadFile(filepath.Join(dir, f.name))
			require.NoError(t, err, dir)
			require.Equal(t, string(f.src), string(got), "%s/%s is stale: run go generate ./%s", dir, f.name, dir)
		}
		return nil
	}
	for _, top := range []string{"modules", "gse"} {
		require.NoError(t, filepath.WalkDir(filepath.Join("..", "..", "..", top), walk))
	}
	require.NotZero(t, found, "no module runs apigen")
}

func generateArgs(t *testing.T, path string) ([]string, bool) {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), generateLine); ok {
			return strings.Fields(rest), true
		}
	}
	return nil, false
}

// TestDirectiveErrors: a malformed declaration is refused with the method
// named, not generated wrong.
func TestDirectiveErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown option", "//api:v3 x bogus\nDo(ctx context.Context, r R) (R, error)", `unknown option "bogus"`},
		{"no context", "Do(r R) (R, error)", "first parameter must be a context.Context"},
		{"no error", "Do(ctx context.Context, r R) R", "must return (T, error) or error"},
		{"v3 with two params", "//api:v3 x\nDo(ctx context.Context, a, b R) (R, error)", "one request"},
		{"v3 error only", "//api:v3 x\nDo(ctx context.Context, r R) error", "one request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := "package p\n\nimport \"context\"\n\ntype R struct{}\n\ntype Service interface {\n" + tt.src + "\n}\n"
			require.NoError(t, os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o600))
			_, err := Generate(dir, options{contract: "Service"})
			require.ErrorContains(t, err, tt.want)
			require.ErrorContains(t, err, "Service.Do")
		})
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"taskID": "task_id", "hostIDs": "host_ids", "scopeType": "scope_type", "id": "id",
		"olderThan": "older_than", "bizID": "biz_id", "offset": "offset", "HTTPServer": "http_server",
	} {
		require.Equal(t, want, snake(in), in)
	}
}
