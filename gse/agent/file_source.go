package agent

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
	"slices"
	"strings"

	"github.com/bkjob/bkjob/gse/wire"
)

// errDenied means the source account may not read a file.
var errDenied = errors.New("permission denied")

// serveRead answers a read request relayed by the hub for a target agent
// pulling a file from this host.
func (a *agent) serveRead(s *session, m *wire.Message) {
	if m.Read == nil {
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		select {
		case a.srcSem <- struct{}{}:
		case <-s.ctx.Done():
			return
		}
		defer func() { <-a.srcSem }()
		reply := a.answerRead(s.ctx, m.Read)
		if err := s.send(reply); err != nil {
			a.log.Debug("send read reply", "task", m.Read.TaskID, "err", err)
		}
	}()
}

func (a *agent) answerRead(ctx context.Context, r *wire.Read) *wire.Message {
	rep := &wire.ReadReply{ID: r.ID}
	msg := &wire.Message{Type: wire.TypeReadReply, TaskID: r.TaskID, Reply: rep}
	var err error
	acct, err := resolveAccount(r.Source.Account)
	if err == nil {
		switch r.Op {
		case wire.OpList:
			rep.Entries, err = listSource(r.Source.Path, acct)
		case wire.OpRead:
			msg.Data, rep.EOF, err = a.readChunk(ctx, r, acct)
		default:
			err = fmt.Errorf("unknown read op %q", r.Op)
		}
	}
	if err != nil {
		rep.Error = err.Error()
		switch {
		case errors.Is(err, fs.ErrNotExist):
			rep.Code = wire.CodeNotFound
		case errors.Is(err, errDenied), errors.Is(err, fs.ErrPermission):
			rep.Code = wire.CodeDenied
		default:
			rep.Code = wire.CodeFailed
		}
	}
	return msg
}

// listSource describes a source path: one file, or every regular file below
// a directory (copied as the directory itself, so Rel starts with its name).
func listSource(path string, acct *account) ([]wire.Entry, error) {
	clean, err := wire.CleanAbs(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(clean)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", clean, err)
	}
	if !st.IsDir() {
		if strings.HasSuffix(path, "/") {
			return nil, fmt.Errorf("source %s: not a directory: %w", path, fs.ErrNotExist)
		}
		e, err := describe(clean, filepath.Base(clean), st, acct)
		if err != nil {
			return nil, err
		}
		return []wire.Entry{e}, nil
	}
	if clean == "/" {
		return nil, errors.New("source /: refusing to copy the root directory")
	}
	base := filepath.Base(clean)
	var out []wire.Entry
	err = filepath.WalkDir(clean, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(clean, p)
		if err != nil {
			return err
		}
		e, err := describe(p, base+"/"+filepath.ToSlash(rel), fi, acct)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list source %s: %w", clean, err)
	}
	return out, nil
}

func describe(path, rel string, fi os.FileInfo, acct *account) (wire.Entry, error) {
	if !fi.Mode().IsRegular() {
		return wire.Entry{}, fmt.Errorf("source %s is not a regular file", path)
	}
	if !readableBy(fi, acct) {
		return wire.Entry{}, fmt.Errorf("source %s: %s may not read it: %w", path, acct.name, errDenied)
	}
	f, err := os.Open(path) //nolint:gosec // G304: reading the files a task names is the agent's job; path checked above
	if err != nil {
		return wire.Entry{}, fmt.Errorf("open source %s: %w", path, err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return wire.Entry{}, fmt.Errorf("hash source %s: %w", path, err)
	}
	return wire.Entry{Path: path, Rel: rel, Size: n, Mode: uint32(fi.Mode().Perm()), SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// readableBy checks the permission bits for an account the agent switches
// to; the agent's own user is checked by the kernel when it opens the file.
func readableBy(fi os.FileInfo, acct *account) bool {
	if !acct.switchUser || acct.uid == 0 {
		return true
	}
	uid, gid, ok := fileOwner(fi)
	if !ok {
		return false
	}
	perm := fi.Mode().Perm()
	switch {
	case uid == acct.uid:
		return perm&0o400 != 0
	case gid == acct.gid || slices.Contains(acct.groups, gid):
		return perm&0o040 != 0
	default:
		return perm&0o004 != 0
	}
}

// readChunk reads one chunk of a file of the source. The file must be the
// source path itself or below it.
func (a *agent) readChunk(ctx context.Context, r *wire.Read, acct *account) ([]byte, bool, error) {
	root, err := wire.CleanAbs(r.Source.Path)
	if err != nil {
		return nil, false, err
	}
	p, err := wire.CleanAbs(r.Path)
	if err != nil {
		return nil, false, err
	}
	if p != root && !strings.HasPrefix(p, strings.TrimSuffix(root, "/")+"/") {
		return nil, false, fmt.Errorf("read %s: outside the source %s", p, root)
	}
	f, err := os.Open(p) //nolint:gosec // G304: reading the files a task names is the agent's job; path checked above
	if err != nil {
		return nil, false, fmt.Errorf("open source %s: %w", p, err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	fi, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("stat source %s: %w", p, err)
	}
	if !readableBy(fi, acct) {
		return nil, false, fmt.Errorf("source %s: %s may not read it: %w", p, acct.name, errDenied)
	}
	n := min(max(r.Length, 0), wire.MaxChunk, max(fi.Size()-r.Offset, 0))
	if err := a.uploads.Wait(ctx, r.TaskID, r.UploadLimit, int(n)); err != nil {
		return nil, false, err
	}
	buf := make([]byte, n)
	got, err := f.ReadAt(buf, r.Offset)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, false, fmt.Errorf("read source %s at %d: %w", p, r.Offset, err)
	}
	return buf[:got], r.Offset+int64(got) >= fi.Size(), nil
}
