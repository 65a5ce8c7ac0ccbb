package text

import (
	"strings"
	"unicode/utf8"
)

// Replacement stands for invalid bytes.
const Replacement = "\uFFFD"

// Valid returns s with every run of invalid UTF-8 bytes replaced by U+FFFD;
// a valid s is returned as is.
func Valid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, Replacement)
}

// ValidBytes is Valid for a byte slice; a valid b is converted unchanged.
func ValidBytes(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), Replacement)
}

// Truncate makes s valid UTF-8 and cuts it to at most maxBytes bytes on a
// character boundary. A maxBytes of 0 or less keeps the whole (valid) text.
func Truncate(s string, maxBytes int) string {
	s = Valid(s)
	if maxBytes <= 0 || len(s) <= maxBytes {
		return s
	}
	return s[:runeStart(s, maxBytes)]
}

// TruncateChars makes s valid UTF-8 and cuts it to at most maxChars
// characters (runes), for limits stated in characters such as a utf8mb4
// VARCHAR(n) column or bk-job's 256-character tag. A maxChars of 0 or less
// keeps the whole (valid) text.
func TruncateChars(s string, maxChars int) string {
	s = Valid(s)
	if maxChars <= 0 || len(s) <= maxChars {
		return s
	}
	n := 0
	for i := range s {
		if n == maxChars {
			return s[:i]
		}
		n++
	}
	return s
}

// TruncateMarked is Truncate that ends a cut text with marker (for example
// "…"), the marker included in maxBytes. A marker longer than maxBytes is
// itself cut.
func TruncateMarked(s string, maxBytes int, marker string) string {
	s = Valid(s)
	if maxBytes <= 0 || len(s) <= maxBytes {
		return s
	}
	marker = Valid(marker)
	if len(marker) >= maxBytes {
		return Truncate(marker, maxBytes)
	}
	return s[:runeStart(s, maxBytes-len(marker))] + marker
}

// RuneBoundary returns the largest n <= len(b) such that b[:n] does not end
// in the middle of a character that the bytes after it could complete: a
// trailing incomplete but well-begun UTF-8 sequence is left out. Invalid
// bytes are not held back (nothing can complete them). Readers that hand
// out a stream in pieces cut each piece here so no piece splits a
// character.
func RuneBoundary(b []byte) int {
	// A character is at most utf8.UTFMax bytes: look at the last three.
	for back := 1; back < utf8.UTFMax && back <= len(b); back++ {
		c := b[len(b)-back]
		if c < utf8.RuneSelf {
			return len(b) // ASCII: nothing is pending
		}
		if utf8.RuneStart(c) {
			if need := seqLen(c); need > back {
				return len(b) - back // a start byte waiting for more
			}
			return len(b)
		}
	}
	return len(b)
}

// runeStart is the largest character boundary of the valid s at or below n.
func runeStart(s string, n int) int {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// seqLen is the length of the UTF-8 sequence a start byte begins (1 for an
// invalid start byte).
func seqLen(c byte) int {
	switch {
	case c >= 0xC2 && c <= 0xDF:
		return 2
	case c >= 0xE0 && c <= 0xEF:
		return 3
	case c >= 0xF0 && c <= 0xF4:
		return 4
	}
	return 1
}
