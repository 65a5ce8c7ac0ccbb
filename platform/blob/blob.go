// Package blob stores files (uploads, staged transfer sources, log exports)
// in a directory: the data dir by default, a shared NFS mount when roles are
// split. Writes land under a temp name and are renamed into place, so a
// reader never sees half a file.
package blob

import (
	"context"
	"errors"
	"io"
	"time"
)

// Info describes a stored object.
type Info struct {
	Key     string    `json:"key"`
	Size    int64     `json:"size"`
	SHA256  string    `json:"sha256"`
	ModTime time.Time `json:"mod_time"`
}

// Store is implemented by local.go (a directory; the same code on NFS).
type Store interface {
	// Put streams r into key atomically and returns its size and sha256.
	Put(ctx context.Context, key string, r io.Reader) (Info, error)
	// Get opens key for reading; the caller closes it.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	Stat(ctx context.Context, key string) (Info, error)
	Delete(ctx context.Context, key string) error
	// List returns objects whose keys start with prefix.
	List(ctx context.Context, prefix string) ([]Info, error)
	// Path is the local file path of key, for transports that send files
	// straight from disk.
	Path(key string) (string, error)
}

// ErrNotFound means the key does not exist.
var ErrNotFound = errors.New("blob not found")

// ErrBadKey means the key is empty, absolute or escapes the store.
var ErrBadKey = errors.New("invalid blob key")
