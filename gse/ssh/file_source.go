package ssh

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/platform/blob"
)

// sourceFile is one file (or directory) a source expands to.
type sourceFile struct {
	rel     string // path under the destination dir
	srcPath string // blob key or path on the source host
	size    int64
	sha256  string // expected digest when the source knows it
	mode    os.FileMode
	dir     bool
}

// sourceFiles is an opened source: its files and how to read them.
type sourceFiles struct {
	list   []sourceFile
	hostID int64 // source host, 0 for the blob store
	open   func(ctx context.Context, f sourceFile) (io.ReadCloser, error)
	close  func()
}

// openSource lists what src stands for: one blob, one file on a source
// host, or a directory tree there (a path ending in "/" or naming a dir).
func (t *Transport) openSource(ctx context.Context, src gse.FileSource) (*sourceFiles, error) {
	if src.BlobKey != "" {
		return t.openBlobSource(ctx, src)
	}
	return t.openHostSource(ctx, src)
}

func (t *Transport) openBlobSource(ctx context.Context, src gse.FileSource) (*sourceFiles, error) {
	if t.deps.Blob == nil {
		return nil, failf(gse.HostStatusCopyFileFailed, "blob source %q: no blob store configured", src.BlobKey)
	}
	info, err := t.deps.Blob.Stat(ctx, src.BlobKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, failf(gse.HostStatusSourceNotExist, "source file %q does not exist", src.BlobKey)
	}
	if err != nil {
		return nil, failf(gse.HostStatusCopyFileFailed, "stat blob %q: %v", src.BlobKey, err)
	}
	name := src.Name
	if name == "" {
		name = path.Base(src.BlobKey)
	}
	store := t.deps.Blob
	return &sourceFiles{
		list: []sourceFile{{rel: name, srcPath: src.BlobKey, size: info.Size, sha256: info.SHA256, mode: 0o644}},
		open: func(ctx context.Context, f sourceFile) (io.ReadCloser, error) {
			rc, _, err := store.Get(ctx, f.srcPath)
			return rc, err
		},
		close: func() {},
	}, nil
}

func (t *Transport) openHostSource(ctx context.Context, src gse.FileSource) (*sourceFiles, error) {
	h := src.Host
	if src.Account != "" && src.Account != h.SSH.User && h.SSH.User != "root" {
		return nil, failf(gse.HostStatusGSEUserError,
			"cannot read as account %q on source host %d: SSH user %q is not root", src.Account, h.ID, h.SSH.User)
	}
	sc, err := t.pool.acquire(ctx, h.SSH)
	if err != nil {
		return nil, failf(gse.HostStatusCopyFileFailed, "source host %d: %v", h.ID, err)
	}
	cl, err := sc.sftpClient()
	if err != nil {
		t.pool.release(sc)
		return nil, failf(gse.HostStatusCopyFileFailed, "source host %d: %v", h.ID, err)
	}
	files, err := listHostSource(cl.Stat, cl.Walk, src)
	if err != nil {
		t.pool.release(sc)
		return nil, err
	}
	return &sourceFiles{
		list:   files,
		hostID: h.ID,
		open: func(_ context.Context, f sourceFile) (io.ReadCloser, error) {
			return cl.Open(f.srcPath)
		},
		close: func() { t.pool.release(sc) },
	}, nil
}

// walker is the part of the SFTP walker listHostSource uses.
type walker interface {
	Step() bool
	Path() string
	Stat() fs.FileInfo
	Err() error
}

func listHostSource[W walker](stat func(string) (fs.FileInfo, error), walk func(string) W, src gse.FileSource) ([]sourceFile, error) {
	p := path.Clean(src.Path)
	st, err := stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, failf(gse.HostStatusSourceNotExist, "source file %s does not exist on host %d", src.Path, src.Host.ID)
	}
	if err != nil {
		return nil, failf(gse.HostStatusCopyFileFailed, "stat %s on host %d: %v", src.Path, src.Host.ID, err)
	}
	wantDir := strings.HasSuffix(src.Path, "/")
	if !st.IsDir() {
		if wantDir {
			return nil, failf(gse.HostStatusSourceNotExist, "source directory %s is a file on host %d", src.Path, src.Host.ID)
		}
		if !st.Mode().IsRegular() {
			return nil, failf(gse.HostStatusCopyFileFailed, "source %s on host %d is not a regular file", src.Path, src.Host.ID)
		}
		name := src.Name
		if name == "" {
			name = path.Base(p)
		}
		return []sourceFile{{rel: name, srcPath: p, size: st.Size(), mode: st.Mode().Perm()}}, nil
	}
	base := path.Base(p)
	if src.Name != "" {
		base = src.Name
	}
	var files []sourceFile
	w := walk(p)
	for w.Step() {
		if err := w.Err(); err != nil {
			return nil, failf(gse.HostStatusCopyFileFailed, "walk %s on host %d: %v", src.Path, src.Host.ID, err)
		}
		fi := w.Stat()
		rel := strings.TrimPrefix(strings.TrimPrefix(w.Path(), p), "/")
		f := sourceFile{rel: path.Join(base, rel), srcPath: w.Path(), size: fi.Size(), mode: fi.Mode().Perm()}
		switch {
		case fi.IsDir():
			f.dir = true
		case !fi.Mode().IsRegular():
			continue // links, devices and sockets are not copied
		}
		files = append(files, f)
	}
	return files, nil
}
