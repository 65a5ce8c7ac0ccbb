package executeimpl

import (
	"path"
	"strings"
	"unicode/utf8"

	"github.com/bkjob/bkjob/platform/errs"
)

// MaxFileNameBytes bounds a file name, as most file systems do.
const maxFileNameBytes = 255

// checkFileName checks a push_config_file name: the name the file gets at
// the target, and nothing else (it is never a storage key). Dot-files such
// as .env are ordinary config names; what is refused is what no file system
// takes or what would leave the target directory.
func checkFileName(field, name string) error {
	switch {
	case name == "":
		return errs.Required(field)
	case len(name) > maxFileNameBytes:
		return errs.Invalid(field, "at most %d bytes, got %d", maxFileNameBytes, len(name))
	case name == "." || name == "..":
		return errs.Invalid(field, "must be a file name, not %q", name)
	case strings.ContainsAny(name, `/\`):
		return errs.Invalid(field, "must be a plain file name without / or \\")
	}
	return checkPathText(field, name)
}

// checkPathText refuses what cannot be a path on any target: invalid
// UTF-8 (it would be changed on the way), NUL and other control characters.
func checkPathText(field, p string) error {
	if !utf8.ValidString(p) {
		return errs.Invalid(field, "must be valid UTF-8")
	}
	for _, r := range p {
		if r == 0 {
			return errs.Invalid(field, "must not contain a NUL byte")
		}
		if r < 0x20 || r == 0x7f {
			return errs.Invalid(field, "must not contain control characters")
		}
	}
	return nil
}

// cleanAbsPath checks an absolute path given to the API (a transfer's
// source or target) and returns it cleaned: a Unix path ("/a//b/./c" →
// "/a/b/c", a trailing / that names a directory kept) or a Windows drive
// path (left as given). A ".." element, NUL, control characters and
// relative paths are refused, here and not only at dispatch.
func cleanAbsPath(field, p string) (string, error) {
	if p == "" {
		return "", errs.Required(field)
	}
	if err := checkPathText(field, p); err != nil {
		return "", err
	}
	if !isAbsPath(p) {
		return "", errs.Invalid(field, "must be an absolute path")
	}
	windows := !strings.HasPrefix(p, "/")
	for _, el := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || windows && r == '\\' }) {
		if el == ".." {
			return "", errs.Invalid(field, "must not contain a .. element")
		}
	}
	if windows {
		return p, nil
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean, nil
}
