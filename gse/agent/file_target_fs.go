package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// targetFS is where a file task writes on its target host, by absolute
// paths at or below the target directory.
type targetFS interface {
	// mkdirs creates dir and its missing parents, owned by the account.
	mkdirs(dir string) error
	// openTemp opens (or creates, 0600) a partial file for writing.
	openTemp(p string) (*os.File, error)
	// chown gives p to the account when the agent switches users.
	chown(p string) error
	rename(from, to string) error
	remove(p string)
	close()
}

// guarded reports whether writes for acct must not follow a symbolic link
// the account could plant: the agent (root) writes for another account.
// For its own user, or root, the kernel's checks are already the account's.
func guarded(acct *account) bool { return acct.switchUser && acct.uid != 0 }

// plainFS writes by path, as the agent always did.
type plainFS struct{ acct *account }

func (p plainFS) mkdirs(dir string) error { return mkdirsAs(dir, p.acct) }

func (plainFS) openTemp(p string) (*os.File, error) {
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600) //nolint:gosec // G304: writing the target a task names is the agent's job, as its account
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", p, err)
	}
	return f, nil
}

func (p plainFS) chown(name string) error { return p.acct.chown(name) }

func (plainFS) rename(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("rename %s to %s: %w", from, to, err)
	}
	return nil
}

func (plainFS) remove(p string) { _ = os.Remove(p) }
func (plainFS) close()          {}

// mkdirsAs creates dir and its missing parents, owned by acct.
func mkdirsAs(dir string, acct *account) error {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("target %s is not a directory", dir)
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirsAs(parent, acct); err != nil {
			return err
		}
	}
	// Target directories are the user's: 0755, as mkdir -p makes them under
	// the usual umask.
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) { //nolint:gosec // G301: see above
		return fmt.Errorf("create target directory %s: %w", dir, err)
	}
	return acct.chown(dir)
}

// rootedFS writes for a guarded account through the target directory's
// handle (os.Root): nothing lands outside it, no directory below it that is
// a symbolic link is used, and a partial file is never opened through one.
type rootedFS struct {
	root *os.Root
	base string
	acct *account
}

// rel is p relative to the target directory.
func (r *rootedFS) rel(p string) (string, error) {
	rel, err := filepath.Rel(r.base, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%s is outside the target directory %s", p, r.base)
	}
	return filepath.ToSlash(rel), nil
}

func (r *rootedFS) mkdirs(dir string) error {
	rel, err := r.rel(dir)
	if err != nil || rel == "." {
		return err
	}
	cur := ""
	for _, el := range strings.Split(rel, "/") {
		cur = path.Join(cur, el)
		li, err := r.root.Lstat(cur)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := r.root.Mkdir(cur, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("create target directory %s: %w", path.Join(r.base, cur), err)
			}
			if err := r.root.Lchown(cur, int(r.acct.uid), int(r.acct.gid)); err != nil {
				return fmt.Errorf("chown %s to %s: %w", path.Join(r.base, cur), r.acct.name, err)
			}
		case err != nil:
			return fmt.Errorf("target directory %s: %w", path.Join(r.base, cur), err)
		case li.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("target directory %s is a symbolic link, which account %s could have planted: refused",
				path.Join(r.base, cur), r.acct.name)
		case !li.IsDir():
			return fmt.Errorf("target %s is not a directory", path.Join(r.base, cur))
		}
	}
	return nil
}

// openTemp creates the partial file exclusively (O_EXCL never follows a
// link). One that exists is reused only when it is a regular file with one
// link and the very file opened; anything else there is removed first.
func (r *rootedFS) openTemp(p string) (*os.File, error) {
	rel, err := r.rel(p)
	if err != nil {
		return nil, err
	}
	f, err := r.root.OpenFile(rel, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil || !errors.Is(err, fs.ErrExist) {
		return f, wrapCreate(p, err)
	}
	li, err := r.root.Lstat(rel)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", p, err)
	}
	if !li.Mode().IsRegular() || linkCount(li) > 1 {
		if err := r.root.Remove(rel); err != nil {
			return nil, fmt.Errorf("remove %s: %w", p, err)
		}
		f, err := r.root.OpenFile(rel, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		return f, wrapCreate(p, err)
	}
	f, err = r.root.OpenFile(rel, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	if fi, err := f.Stat(); err != nil || !os.SameFile(li, fi) || !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("partial file %s changed while it was opened: refused", p)
	}
	return f, nil
}

func wrapCreate(p string, err error) error {
	if err != nil {
		return fmt.Errorf("create %s: %w", p, err)
	}
	return nil
}

func (r *rootedFS) chown(p string) error {
	rel, err := r.rel(p)
	if err != nil {
		return err
	}
	if err := r.root.Lchown(rel, int(r.acct.uid), int(r.acct.gid)); err != nil {
		return fmt.Errorf("chown %s to %s: %w", p, r.acct.name, err)
	}
	return nil
}

func (r *rootedFS) rename(from, to string) error {
	relFrom, err := r.rel(from)
	if err != nil {
		return err
	}
	relTo, err := r.rel(to)
	if err != nil {
		return err
	}
	if err := r.root.Rename(relFrom, relTo); err != nil {
		return fmt.Errorf("rename %s to %s: %w", from, to, err)
	}
	return nil
}

func (r *rootedFS) remove(p string) {
	if rel, err := r.rel(p); err == nil {
		_ = r.root.Remove(rel)
	}
}

func (r *rootedFS) close() { _ = r.root.Close() }

// maxLinkHops bounds the symbolic links followed resolving a target dir.
const maxLinkHops = 40

// openBeneath opens the target directory base for a guarded account,
// component by component from "/", each through the handle of its parent.
// A symbolic link on the way is followed only when the account could not
// have planted it (plantable); missing directories are created, owned by
// the account, when create is set.
func openBeneath(base string, acct *account, create bool) (*os.Root, error) {
	cur, err := os.OpenRoot("/")
	if err != nil {
		return nil, fmt.Errorf("open /: %w", err)
	}
	curPath, todo, hops := "/", splitAbs(base), 0
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		at := path.Join(curPath, name)
		li, err := cur.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) && create {
			if err = cur.Mkdir(name, 0o755); err == nil {
				err = cur.Lchown(name, int(acct.uid), int(acct.gid))
			}
			if err == nil || errors.Is(err, fs.ErrExist) {
				li, err = cur.Lstat(name)
			}
		}
		var next *os.Root
		switch {
		case errors.Is(err, fs.ErrNotExist):
			err = fmt.Errorf("target directory %s does not exist (transfer mode 1 does not create it)", base)
		case err != nil:
			err = fmt.Errorf("target directory %s: %w", at, err)
		case li.Mode()&fs.ModeSymlink != 0:
			var target string
			target, err = followable(cur, name, at, li, acct)
			if hops++; err == nil && hops > maxLinkHops {
				err = fmt.Errorf("target directory %s: too many symbolic links", base)
			}
			if err == nil {
				if !path.IsAbs(target) {
					target = path.Join(curPath, target)
				}
				todo = append(splitAbs(target), todo...)
				next, err = os.OpenRoot("/")
				curPath = "/"
			}
		case !li.IsDir():
			err = fmt.Errorf("target %s is not a directory", at)
		default:
			next, err = openSame(cur, name, at, li)
			curPath = at
		}
		_ = cur.Close()
		if err != nil {
			return nil, err
		}
		cur = next
	}
	return cur, nil
}

// followable returns the target of the link name in cur when acct could
// not have planted it.
func followable(cur *os.Root, name, at string, li os.FileInfo, acct *account) (string, error) {
	di, err := cur.Stat(".")
	if err != nil {
		return "", fmt.Errorf("target directory %s: %w", at, err)
	}
	if plantable(di, li, acct) {
		return "", fmt.Errorf("target directory %s is a symbolic link, which account %s could have planted: refused", at, acct.name)
	}
	target, err := cur.Readlink(name)
	if err != nil {
		return "", fmt.Errorf("target directory %s: %w", at, err)
	}
	return target, nil
}

// openSame opens the directory name of cur and checks it is the one that
// was inspected (not swapped in between).
func openSame(cur *os.Root, name, at string, li os.FileInfo) (*os.Root, error) {
	next, err := cur.OpenRoot(name)
	if err != nil {
		return nil, fmt.Errorf("open target directory %s: %w", at, err)
	}
	if ni, err := next.Stat("."); err != nil || !os.SameFile(li, ni) {
		_ = next.Close()
		return nil, fmt.Errorf("target directory %s changed while it was opened: refused", at)
	}
	return next, nil
}

// plantable reports whether acct could have put the link li in the
// directory di: it owns the link, or it may write the directory (a sticky
// directory only lets it replace its own entries).
func plantable(di, li os.FileInfo, acct *account) bool {
	luid, _, ok := fileOwner(li)
	if !ok || luid == acct.uid {
		return true
	}
	duid, dgid, ok := fileOwner(di)
	if !ok || duid == acct.uid {
		return true
	}
	perm := di.Mode().Perm()
	inGroup := dgid == acct.gid || slices.Contains(acct.groups, dgid)
	writable := perm&0o002 != 0 || inGroup && perm&0o020 != 0
	return writable && di.Mode()&fs.ModeSticky == 0
}

// splitAbs splits an absolute path into its non-empty elements.
func splitAbs(p string) []string {
	var out []string
	for _, el := range strings.Split(p, "/") {
		if el != "" && el != "." {
			out = append(out, el)
		}
	}
	return out
}
