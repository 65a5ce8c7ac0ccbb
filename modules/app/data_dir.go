package app

import (
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// Modes of everything under the data dir: only the server's user may read
// the database, the logs, the files, the keys and the admin password.
const (
	dataDirMode  fs.FileMode = 0o700
	dataFileMode fs.FileMode = 0o600
)

// secureDataDir makes the data dir 0700 and every directory in it 0700 and
// every file 0600, fixing what an older version (or a permissive umask)
// left behind. Symbolic links are neither followed nor changed. Failures
// are logged: a file the server cannot chmod is one it did not create.
func secureDataDir(dir string, log *slog.Logger) {
	// Changes go through an os.Root of the data dir: a path swapped for a
	// symlink between the walk and the chmod cannot lead outside it.
	root, err := os.OpenRoot(dir)
	if err != nil {
		log.Warn("open data dir", "path", dir, "err", err)
		return
	}
	defer func() { _ = root.Close() }()
	fixed := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			log.Warn("walk data dir", "path", path, "err", err)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		want := dataFileMode
		switch {
		case d.IsDir():
			want = dataDirMode
		case !d.Type().IsRegular():
			return nil // symlinks, sockets: leave them
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		if info.Mode().Perm() == want {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return nil
		}
		if err := root.Chmod(rel, want); err != nil {
			log.Warn("restrict data file mode", "path", path, "err", err)
			return nil
		}
		fixed++
		return nil
	})
	if err != nil {
		log.Warn("walk data dir", "dir", dir, "err", err)
	}
	if fixed > 0 {
		log.Info("restricted data dir modes", "dir", dir, "changed", fixed)
	}
}
