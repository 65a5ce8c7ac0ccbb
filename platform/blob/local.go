package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Local stores objects as files under a root directory. The sha256 of each
// object is kept beside it in "<file>.sha256" so Stat does not re-read it.
type Local struct {
	root string
}

var _ Store = (*Local)(nil)

const (
	sumSuffix = ".sha256"
	tmpPrefix = ".tmp-"
)

// NewLocal opens (creating) the store at root.
func NewLocal(root string) (*Local, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("create blob dir %s: %w", root, err)
	}
	return &Local{root: root}, nil
}

// Path maps key to its file, refusing keys that escape the root.
func (l *Local) Path(key string) (string, error) {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") {
		return "", fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	clean := filepath.Clean(key)
	if clean != key || clean == "." || strings.HasPrefix(clean, "..") || strings.HasSuffix(key, sumSuffix) ||
		strings.HasPrefix(filepath.Base(clean), tmpPrefix) {
		return "", fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	return filepath.Join(l.root, clean), nil
}

// Put writes r to a temp file in the target directory, fsyncs it and renames
// it into place, so readers see the old object or the whole new one.
func (l *Local) Put(ctx context.Context, key string, r io.Reader) (Info, error) {
	path, err := l.Path(key)
	if err != nil {
		return Info{}, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Info{}, fmt.Errorf("create dir for %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), tmpPrefix+"*")
	if err != nil {
		return Info{}, fmt.Errorf("create temp for %s: %w", key, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // gone after the rename; else a leftover we tried to drop
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Info{}, fmt.Errorf("write %s: %w", key, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if err := os.WriteFile(path+sumSuffix, []byte(sum), 0o600); err != nil {
		return Info{}, fmt.Errorf("write checksum of %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return Info{}, fmt.Errorf("rename %s into place: %w", key, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", key, err)
	}
	return Info{Key: key, Size: n, SHA256: sum, ModTime: st.ModTime()}, nil
}

// Get opens key.
func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	info, err := l.Stat(ctx, key)
	if err != nil {
		return nil, Info{}, err
	}
	path, _ := l.Path(key)
	f, err := os.Open(path) //nolint:gosec // G304: l.Path refuses keys that escape the root
	if err != nil {
		return nil, Info{}, l.notFound(key, err)
	}
	return f, info, nil
}

// Stat describes key.
func (l *Local) Stat(_ context.Context, key string) (Info, error) {
	path, err := l.Path(key)
	if err != nil {
		return Info{}, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return Info{}, l.notFound(key, err)
	}
	if st.IsDir() {
		return Info{}, fmt.Errorf("%w: %s is a directory", ErrNotFound, key)
	}
	sum, err := os.ReadFile(path + sumSuffix) //nolint:gosec // G304: l.Path refuses keys that escape the root
	if err != nil {
		sum, err = l.rehash(path)
		if err != nil {
			return Info{}, err
		}
	}
	return Info{Key: key, Size: st.Size(), SHA256: string(sum), ModTime: st.ModTime()}, nil
}

// rehash computes the checksum of a file placed without Put (an operator
// copying into the shared mount, say) and records it.
func (l *Local) rehash(path string) ([]byte, error) {
	f, err := os.Open(path) //nolint:gosec // G304: a path from l.Path, which refuses keys that escape the root
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("hash %s: %w", path, err)
	}
	sum := []byte(hex.EncodeToString(h.Sum(nil)))
	_ = os.WriteFile(path+sumSuffix, sum, 0o600) // a cache: failing to write it only costs a rehash
	return sum, nil
}

// Delete removes key; deleting a missing key is not an error.
func (l *Local) Delete(_ context.Context, key string) error {
	path, err := l.Path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	_ = os.Remove(path + sumSuffix)
	return nil
}

// List returns the objects whose keys start with prefix, sorted by key.
func (l *Local) List(ctx context.Context, prefix string) ([]Info, error) {
	var out []Info
	err := filepath.WalkDir(l.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasSuffix(path, sumSuffix) || strings.HasPrefix(d.Name(), tmpPrefix) {
			return nil
		}
		rel, err := filepath.Rel(l.root, path)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := l.Stat(ctx, key)
		if err != nil {
			return err
		}
		out = append(out, info)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (l *Local) notFound(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return fmt.Errorf("open %s: %w", key, err)
}

// ctxReader stops a long copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
