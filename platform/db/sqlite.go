package db

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/config"
)

// sqliteBusyTimeoutMS is how long a connection waits for another writer
// (in this or another process) before giving up with SQLITE_BUSY.
const sqliteBusyTimeoutMS = 10000

// sqliteDialector opens cfg.DSN (a file path, or ":memory:") or, when empty,
// <dataDir>/bkjob.db.
//
// Every connection runs with:
//   - journal_mode=WAL: readers never block the writer nor the writer readers;
//   - busy_timeout: a second writer waits for the first instead of failing;
//   - foreign_keys=ON: SQLite leaves them off unless asked, per connection;
//   - synchronous=NORMAL: safe with WAL, an fsync per checkpoint, not per commit;
//   - _txlock=immediate: BEGIN takes the write lock at once. SQLite allows one
//     writer at a time; a deferred transaction that reads and then writes can
//     fail with SQLITE_BUSY without waiting, an immediate one queues on
//     busy_timeout instead.
//
// The pool keeps db.max_open_conns connections: with WAL, reads run in
// parallel while writes are serialised by SQLite itself, one writer at a time,
// which is plenty for one host's job platform. ":memory:" gets exactly one
// connection, because every connection to it would be a separate database.
func sqliteDialector(cfg config.DB, dataDir string) (gorm.Dialector, pool, error) {
	path := cfg.DSN
	if path == "" {
		if dataDir == "" {
			return nil, pool{}, fmt.Errorf("sqlite needs db.dsn or data_dir")
		}
		path = filepath.Join(dataDir, "bkjob.db")
	}
	if strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, pool{}, fmt.Errorf("sqlite path %q: give a plain file path (no '?', '#' or file: prefix)", path)
	}
	p := pool{maxOpen: cfg.MaxOpenConns, maxIdle: cfg.MaxOpenConns}
	if p.maxOpen < 1 {
		p.maxOpen, p.maxIdle = 1, 1
	}
	if path == ":memory:" {
		p.maxOpen, p.maxIdle = 1, 1
	} else if err := createPrivate(path); err != nil {
		return nil, pool{}, err
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeoutMS))
	if path != ":memory:" {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return sqlite.Open(path + "?" + q.Encode()), p, nil
}

// createPrivate makes the database's directory (0700) and the database file
// itself (0600) before SQLite opens it: SQLite would create the file 0644,
// and it gives the -wal and -shm files the database file's mode.
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create sqlite dir %s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600) //nolint:gosec // G304: db.dsn or the data dir, both the operator's
	if err != nil {
		return fmt.Errorf("create sqlite file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create sqlite file %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("restrict sqlite file %s: %w", p, err)
		}
	}
	return nil
}
