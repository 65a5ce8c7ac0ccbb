package executeimpl_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/platform/blob"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// stagedEntries lists every file and directory under the blob store.
func stagedEntries(t *testing.T, env *executetest.Env) []string {
	t.Helper()
	l, ok := env.Blob.(*blob.Local)
	require.True(t, ok)
	p, err := l.Path("x")
	require.NoError(t, err)
	root := filepath.Dir(p)
	var out []string
	require.NoError(t, filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, rel)
		return nil
	}))
	return out
}

// TestPushConfigFileNames: names are metadata for the target, not storage
// keys, so names that clash with the blob store's own files are fine; names
// no target takes are refused at the API with the field, and a refused
// call stages nothing.
func TestPushConfigFileNames(t *testing.T) {
	env := executetest.NewEnv(t)
	hosts := executetest.AddHosts(t, env.DB, 1, 1)
	push := func(names ...string) (execute.JobCreated, error) {
		req := execute.PushConfigFileRequest{ScopeRef: scope, AccountAlias: "root", FileTargetPath: "/tmp/cfg",
			TargetServer: &execute.Server{HostIDList: hosts}}
		for _, n := range names {
			req.FileList = append(req.FileList, execute.ConfigFile{FileName: n, Content: b64("k=" + n)})
		}
		return env.Engine.PushConfigFile(ctx, req)
	}

	for _, name := range []string{"app.sha256", ".tmp-config", ".env", "a b.conf", "配置.ini", strings.Repeat("n", 255)} {
		t.Run("ok "+name[:min(len(name), 20)], func(t *testing.T) {
			c, err := push(name)
			require.NoError(t, err)
			waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
			starts := env.Transport.Starts()
			src := starts[len(starts)-1].File.Sources[0]
			require.Equal(t, name, src.Name)
			require.NotContains(t, src.BlobKey, name, "the name is not the storage key")
			_, err = env.Blob.Stat(ctx, src.BlobKey)
			require.NoError(t, err)
		})
	}

	before := stagedEntries(t, env)
	tests := []struct {
		name  string
		names []string
		field string
	}{
		{"empty", []string{""}, "file_list[0].file_name"},
		{"NUL", []string{"a\x00b"}, "file_list[0].file_name"},
		{"newline", []string{"ok.conf", "a\nb"}, "file_list[1].file_name"},
		{"too long", []string{strings.Repeat("n", 300)}, "file_list[0].file_name"},
		{"slash", []string{"../etc/passwd"}, "file_list[0].file_name"},
		{"backslash", []string{`..\x`}, "file_list[0].file_name"},
		{"dot", []string{"."}, "file_list[0].file_name"},
		{"dotdot", []string{".."}, "file_list[0].file_name"},
		{"bad utf8", []string{"a\xffb"}, "file_list[0].file_name"},
		{"duplicate", []string{"a", "a"}, "file_list[1].file_name"},
	}
	for _, tt := range tests {
		t.Run("refused "+tt.name, func(t *testing.T) {
			_, err := push(tt.names...)
			require.ErrorIs(t, err, errs.ErrInvalid)
			e := errs.From(err)
			require.Equal(t, tt.field, e.Field, "%v", err)
			require.NotContains(t, e.Message, "/var")
			require.Equal(t, before, stagedEntries(t, env), "a refused call stages nothing")
		})
	}
}

// TestFastTransferFileSourcePaths: source paths are checked and cleaned at
// the API, with the field at fault, not only when the step is dispatched.
func TestFastTransferFileSourcePaths(t *testing.T) {
	env := executetest.NewEnv(t)
	hosts := executetest.AddHosts(t, env.DB, 1, 2)
	transfer := func(paths ...string) (execute.JobCreated, error) {
		return env.Engine.FastTransferFile(ctx, execute.FastTransferFileRequest{ScopeRef: scope, AccountAlias: "root",
			FileTargetPath: "/data", FileSourceList: []execute.FileSourceSpec{{FileList: paths,
				Account: &execute.AccountRef{Alias: "root"}, Server: &execute.Server{HostIDList: hosts[:1]}}},
			TargetServer: &execute.Server{HostIDList: hosts[1:]}})
	}
	refused := []struct {
		name, path string
		code       int // ILLEGAL_PARAM_WITH_PARAM_NAME_AND_REASON, or MISSING_PARAM_WITH_PARAM_NAME
	}{
		{"dotdot", "/data/../etc/shadow", 1241010},
		{"trailing dotdot", "/data/..", 1241010},
		{"relative", "etc/hosts", 1241010},
		{"dot relative", "./hosts", 1241010},
		{"NUL", "/etc/hosts\x00.txt", 1241010},
		{"control", "/etc/ho\nsts", 1241010},
		{"windows dotdot", `C:\data\..\secret`, 1241010},
		{"empty", "", 1241004},
	}
	for _, tt := range refused {
		t.Run("refused "+tt.name, func(t *testing.T) {
			_, err := transfer("/ok", tt.path)
			require.ErrorIs(t, err, errs.ErrInvalid)
			require.Equal(t, "file_source_list[0].file_list[1]", errs.From(err).Field, "%v", err)
			require.Equal(t, tt.code, v3Code(err), "%v", err)
		})
	}

	c, err := transfer("/etc//hosts", "/data/./conf/", "/")
	require.NoError(t, err)
	waitJob(t, env, c.JobInstanceID, execute.StatusSuccess)
	starts := env.Transport.Starts()
	var got []string
	for _, s := range starts[len(starts)-1].File.Sources {
		got = append(got, s.Path)
	}
	require.Equal(t, []string{"/etc/hosts", "/data/conf/", "/"}, got, "cleaned, a directory's trailing / kept")

	_, err = env.Engine.FastTransferFile(ctx, execute.FastTransferFileRequest{ScopeRef: scope, AccountAlias: "root",
		FileTargetPath: "/data/../etc", FileSourceList: []execute.FileSourceSpec{{FileList: []string{"/ok"},
			Account: &execute.AccountRef{Alias: "root"}, Server: &execute.Server{HostIDList: hosts[:1]}}},
		TargetServer: &execute.Server{HostIDList: hosts[1:]}})
	require.ErrorIs(t, err, errs.ErrInvalid)
	require.Equal(t, "file_target_path", errs.From(err).Field)
}

func v3Code(err error) int { return httpx.V3Code(err) }

// TestScriptParamUnbalanced: script_param that does not split into words
// (gse.SplitParams, the rule every transport follows) is refused at the
// API, naming the field and not quoting it (it may be sensitive).
func TestScriptParamUnbalanced(t *testing.T) {
	env := executetest.NewEnv(t)
	hosts := executetest.AddHosts(t, env.DB, 1, 1)
	for _, sensitive := range []int{0, 1} {
		req := scriptReq(hosts...)
		req.ScriptParam, req.IsParamSensitive = b64(`--token 's3cr3t`), sensitive
		_, err := env.Engine.FastExecuteScript(ctx, req)
		require.ErrorIs(t, err, errs.ErrInvalid)
		e := errs.From(err)
		require.Equal(t, "script_param", e.Field)
		require.Contains(t, e.Message, "unterminated single quote")
		require.NotContains(t, e.Message, "s3cr3t")
	}
	require.Empty(t, env.Transport.Starts())
}
