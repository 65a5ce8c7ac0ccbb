package agent

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/wire"
)

// TestTempNameIsPerAgent: the partial file is the same for one agent's
// retries of a file (so it resumes its own) and differs between agents,
// tasks and files sharing a directory.
func TestTempNameIsPerAgent(t *testing.T) {
	dest := "/data/shared/app.tar"
	mine := tempName("1:0:0", "bkjob-a", 0, "10.0.0.1", dest)
	require.Equal(t, mine, tempName("1:0:0", "bkjob-a", 0, "10.0.0.1", dest), "stable across retries and restarts")
	require.Equal(t, "/data/shared", filepath.Dir(mine), "beside the destination, so the rename stays on one file system")
	require.Regexp(t, `^\.app\.tar\.bkjob-[0-9a-f]{16}\.part$`, filepath.Base(mine))
	others := []string{
		tempName("1:0:0", "bkjob-b", 0, "10.0.0.1", dest),
		tempName("1:0:0", "bkjob-a", 0, "10.0.0.2", dest),
		tempName("1:0:0", "bkjob-a", 1, "10.0.0.1", dest),
		tempName("1:1:0", "bkjob-a", 0, "10.0.0.1", dest),
		tempName("1:0:0", "bkjob-a", 0, "10.0.0.1", "/data/shared/sub/app.tar"),
	}
	seen := map[string]bool{mine: true}
	for _, o := range others {
		require.False(t, seen[o], "%s is not unique", o)
		seen[o] = true
	}
}

// TestResumeFromPartialFile: a retried pull continues after what the same
// agent's partial file holds, with the hash covering it; a partial file
// longer than the source is started over.
func TestResumeFromPartialFile(t *testing.T) {
	tests := []struct {
		name    string
		partial string
		size    int64
		wantOff int64
	}{
		{"empty", "", 10, 0},
		{"half", "hello", 10, 5},
		{"complete", "helloworld", 10, 10},
		{"too long", "hello world!", 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "part")
			require.NoError(t, os.WriteFile(path, []byte(tt.partial), 0o600))
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			require.NoError(t, err)
			t.Cleanup(func() { _ = f.Close() })
			h := sha256.New()
			off, err := resumeFrom(f, h, tt.size)
			require.NoError(t, err)
			require.Equal(t, tt.wantOff, off)
			want := sha256.Sum256([]byte(tt.partial[:off]))
			require.Equal(t, want[:], h.Sum(nil))
			_, err = f.Write([]byte("X"))
			require.NoError(t, err)
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, tt.partial[:off]+"X", string(got))
		})
	}
}

// TestRefusedFileTaskIsLogged: a file task the agent refuses as a whole
// (a target outside the rules, which the API and the hub refuse first)
// fails with the reason in the result and in a failed file entry per
// source, so the host's file log says why.
func TestRefusedFileTaskIsLogged(t *testing.T) {
	tests := []struct {
		name   string
		job    wire.FileJob
		status int
		want   string
	}{
		{"dotdot target", wire.FileJob{TargetDir: "/tmp/../etc", Mode: gse.TransferForce,
			Sources: []wire.FileSource{{HostID: 1, Path: "/etc/hosts"}, {BlobKey: "k/a.conf"}}}, gse.HostStatusCopyFileFailed, `"/tmp/../etc" contains a .. element`},
		{"relative target", wire.FileJob{TargetDir: "tmp/x", Mode: gse.TransferForce,
			Sources: []wire.FileSource{{HostID: 1, Path: "/etc/hosts"}}}, gse.HostStatusCopyFileFailed, "is not absolute"},
		{"no sources", wire.FileJob{TargetDir: "/tmp", Mode: gse.TransferForce}, gse.HostStatusCopyFileFailed, "no file sources"},
		{"missing dir in strict mode", wire.FileJob{TargetDir: "/nonexistent/bkjob", Mode: gse.TransferStrict,
			Sources: []wire.FileSource{{HostID: 1, Path: "/etc/hosts"}}}, gse.HostStatusCopyFileFailed, "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := newAgent(t.Context(), Options{Server: "http://127.0.0.1:1", DataDir: t.TempDir()}, nil)
			require.NoError(t, err)
			tk := &task{id: "refused", kind: kindFile, stop: make(chan struct{})}
			res, ok := a.runFile(tk, &tt.job)
			require.True(t, ok)
			require.Equal(t, tt.status, res.Status)
			require.Contains(t, res.ErrorMsg, tt.want)
			want := max(len(tt.job.Sources), 1)
			require.Len(t, tk.progress, want)
			for i, item := range tk.progress {
				require.Equal(t, gse.FileStatusFailed, item.p.Status, "entry %d", i)
				require.Equal(t, tt.job.TargetDir, item.p.DestPath)
				require.Equal(t, res.ErrorMsg, item.p.Message)
			}
			if len(tt.job.Sources) > 1 {
				require.Equal(t, "k/a.conf", tk.progress[1].p.SrcPath)
			}
		})
	}
}
