package manageimpl

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// checkScriptName trims a script name and checks it as bk-job does:
// required, at most 60 characters, no control characters.
func checkScriptName(raw string) (string, error) {
	name := strings.TrimSpace(raw)
	switch {
	case name == "":
		return "", errs.Required("name").Withf("is required: the script's name")
	case utf8.RuneCountInString(name) > manage.MaxScriptNameLen:
		return "", errs.Invalid("name", "at most %d characters", manage.MaxScriptNameLen)
	case strings.IndexFunc(name, isControl) >= 0:
		return "", errs.Invalid("name", "must not contain control characters")
	}
	return name, nil
}

// checkVersionName checks a version number: required, at most 60
// characters, none of them spaces or control characters.
func checkVersionName(raw string) (string, error) {
	v := strings.TrimSpace(raw)
	switch {
	case v == "":
		return "", errs.Required("version").Withf("is required: the version number, e.g. 1.0.0")
	case utf8.RuneCountInString(v) > manage.MaxScriptVersionLen:
		return "", errs.Invalid("version", "at most %d characters", manage.MaxScriptVersionLen)
	case strings.IndexFunc(v, func(r rune) bool { return isControl(r) || r == ' ' }) >= 0:
		return "", errs.Invalid("version", "must not contain spaces or control characters")
	}
	return v, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// checkText bounds a free-text field.
func checkText(field, s string, limit int) error {
	if utf8.RuneCountInString(s) > limit {
		return errs.Invalid(field, "at most %d characters", limit)
	}
	return nil
}

// decodeContent reads a version's base64 content (standard alphabet,
// padding optional, as bk-job's clients send it) and checks it: not
// empty, UTF-8 text, at most manage.MaxScriptContentBytes.
func decodeContent(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", errs.Required("content").Withf("is required: the script, base64-encoded")
	}
	// Refused before decoding: a body of base64 four thirds of the limit.
	if base64.StdEncoding.DecodedLen(len(raw)) > manage.MaxScriptContentBytes+3 {
		return "", errs.Invalid("content", "at most %d bytes once decoded", manage.MaxScriptContentBytes)
	}
	s := strings.TrimRight(strings.TrimSpace(raw), "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return "", errs.Invalid("content", "must be base64 (the standard alphabet)")
	}
	switch {
	case len(b) > manage.MaxScriptContentBytes:
		return "", errs.Invalid("content", "at most %d bytes once decoded, got %d", manage.MaxScriptContentBytes, len(b))
	case len(bytes.TrimSpace(b)) == 0:
		return "", errs.Invalid("content", "the script is empty")
	case !utf8.Valid(b):
		return "", errs.Invalid("content", "must be UTF-8 text once decoded")
	}
	return string(b), nil
}

// checkTags trims, de-duplicates and bounds a script's tags.
func checkTags(raw []string) ([]string, error) {
	if len(raw) > manage.MaxScriptTags {
		return nil, errs.Invalid("tags", "at most %d tags", manage.MaxScriptTags)
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(raw))
	for _, t := range raw {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
			return nil, errs.Invalid("tags", "a tag must not be empty")
		case utf8.RuneCountInString(t) > manage.MaxScriptTagLen:
			return nil, errs.Invalid("tags", "a tag has at most %d characters", manage.MaxScriptTagLen)
		case strings.IndexFunc(t, isControl) >= 0:
			return nil, errs.Invalid("tags", "a tag must not contain control characters")
		case seen[t]:
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out, nil
}

// checkScriptID checks a script id's shape (bk-job's 32-character ids)
// so a malformed one is said to be malformed, not merely unknown.
func checkScriptID(field, raw string) (string, error) {
	id := strings.TrimSpace(raw)
	switch {
	case id == "":
		return "", errs.Required(field).Withf("is required: the script's id")
	case len(id) > 64 || strings.IndexFunc(id, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-')
	}) >= 0:
		return "", errs.Invalid(field, "must be a script id (32 hexadecimal digits)")
	}
	return strings.ToLower(id), nil
}
