package agent

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBrokenSpoolIsQuarantined: a task spool whose files cannot be parsed
// is moved aside with its contents, reported, and never deleted; good
// spools load as before.
func TestBrokenSpoolIsQuarantined(t *testing.T) {
	dataDir := t.TempDir()
	good, out, err := createSpool(dataDir, taskMeta{TaskID: "good", Kind: kindScript, Created: time.Now()})
	require.NoError(t, err)
	require.NoError(t, out.Close())
	tests := []struct {
		name, task, file, content string
	}{
		{"meta is not json", "bad-meta", metaFile, "{not json"},
		{"result is not json", "bad-result", resultFile, "\x00\x01"},
	}
	var broken []string
	for _, tt := range tests {
		dir, out, err := createSpool(dataDir, taskMeta{TaskID: tt.task, Kind: kindScript, Created: time.Now()})
		require.NoError(t, err, tt.name)
		_, err = out.WriteString("output of " + tt.task)
		require.NoError(t, err)
		require.NoError(t, out.Close())
		require.NoError(t, os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.content), 0o600))
		broken = append(broken, dir)
	}

	reported := map[string]string{}
	found, err := loadSpool(dataDir, func(dir, moved string, err error) {
		require.Error(t, err)
		reported[dir] = moved
	})
	require.NoError(t, err)
	require.Len(t, found, 1)
	require.Equal(t, good, found[0].dir)
	_ = found[0].out.Close()

	n, err := QuarantineCount(dataDir)
	require.NoError(t, err)
	require.Equal(t, len(tests), n)
	for i, dir := range broken {
		moved := reported[dir]
		require.NotEmpty(t, moved, "%s was reported with where it went", tests[i].name)
		require.NoDirExists(t, dir)
		got, err := os.ReadFile(filepath.Join(moved, outputFile))
		require.NoError(t, err, "the quarantined spool keeps its files")
		require.Equal(t, "output of "+tests[i].task, string(got))
	}

	// A second start finds nothing more to set aside.
	_, err = loadSpool(dataDir, func(dir, _ string, err error) { t.Errorf("%s reported again: %v", dir, err) })
	require.NoError(t, err)
}

// TestWriteJSONLeavesNoTemp: the synced atomic write replaces the file and
// leaves no temporary behind.
func TestWriteJSONLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, resultFile)
	require.NoError(t, writeJSON(path, map[string]int{"a": 1}))
	require.NoError(t, writeJSON(path, map[string]int{"a": 2}))
	var got map[string]int
	require.NoError(t, readJSON(path, &got))
	require.Equal(t, 2, got["a"])
	require.NoFileExists(t, path+".tmp")
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
}
