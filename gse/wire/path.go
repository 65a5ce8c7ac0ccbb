package wire

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/bkjob/bkjob/gse"
)

// ErrBadPath means a target or source path is refused: not absolute, or
// containing a ".." element. Such paths are rejected, never "fixed".
var ErrBadPath = errors.New("invalid path")

// CleanAbs checks that p is absolute and has no ".." element, and returns it
// cleaned ("/a//b/" → "/a/b").
func CleanAbs(p string) (string, error) {
	if p == "" || !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("%w: %q is not absolute", ErrBadPath, p)
	}
	if strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("%w: %q contains NUL", ErrBadPath, p)
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return "", fmt.Errorf("%w: %q contains a .. element", ErrBadPath, p)
		}
	}
	return path.Clean(p), nil
}

// CleanRel checks a "/"-separated relative path (a file name, or a file
// below a copied directory): not empty, not absolute, no "." or ".."
// elements.
func CleanRel(rel string) (string, error) {
	if rel == "" || strings.HasPrefix(rel, "/") || strings.ContainsRune(rel, 0) {
		return "", fmt.Errorf("%w: %q is not a relative file path", ErrBadPath, rel)
	}
	for _, el := range strings.Split(rel, "/") {
		if el == ".." || el == "." || el == "" {
			return "", fmt.Errorf("%w: %q has an empty, . or .. element", ErrBadPath, rel)
		}
	}
	return rel, nil
}

// TransferDir is the directory a file from src lands in for transfer mode
// (gse.Transfer*): dir itself for modes 1 and 2, dir/<cloud>_<ip> for mode
// 3, dir/<YYYY-MM-DD>/<cloud>_<ip> for mode 4. A blob-store source counts as
// 0_0.0.0.0, as local files do in bk-job.
func TransferDir(mode int, dir string, src FileSource, now time.Time) string {
	tag := "0_0.0.0.0"
	if src.BlobKey == "" {
		tag = strconv.FormatInt(src.CloudID, 10) + "_" + src.IP
	}
	switch mode {
	case gse.TransferSafetyIP:
		return path.Join(dir, tag)
	case gse.TransferSafetyDateIP:
		return path.Join(dir, now.Format("2006-01-02"), tag)
	default:
		return dir
	}
}

// ValidateFileJob checks what a target agent would refuse anyway, so the
// hub can refuse it before dispatch.
func ValidateFileJob(j *FileJob) error {
	if _, err := CleanAbs(j.TargetDir); err != nil {
		return fmt.Errorf("target dir: %w", err)
	}
	if j.Mode < gse.TransferStrict || j.Mode > gse.TransferSafetyDateIP {
		return fmt.Errorf("transfer mode %d: want 1-4", j.Mode)
	}
	if len(j.Sources) == 0 {
		return errors.New("no file sources")
	}
	for i, s := range j.Sources {
		if s.Name != "" {
			if _, err := CleanRel(s.Name); err != nil || strings.Contains(s.Name, "/") {
				return fmt.Errorf("source %d name: %w: %q", i, ErrBadPath, s.Name)
			}
		}
		switch {
		case s.BlobKey != "" && s.HostID != 0:
			return fmt.Errorf("source %d: both a host and a blob key", i)
		case s.BlobKey != "":
			if _, err := CleanRel(s.BlobKey); err != nil {
				return fmt.Errorf("source %d blob key: %w", i, err)
			}
		case s.HostID != 0:
			if _, err := CleanAbs(s.Path); err != nil {
				return fmt.Errorf("source %d path: %w", i, err)
			}
		default:
			return fmt.Errorf("source %d: neither a host nor a blob key", i)
		}
	}
	return nil
}
