package output

import (
	"fmt"

	"github.com/bkjob/bkjob/platform/text"
)

// TruncatedMarker is appended once to output that reached limit bytes.
func TruncatedMarker(limit int64) string {
	return fmt.Sprintf("\n[bkjob: output truncated at %d bytes]\n", limit)
}

// Cap passes on the first Limit bytes of a stream, then the truncation
// marker once, and nothing after it. A Limit of 0 or less keeps everything.
type Cap struct {
	Limit     int64
	kept      int64
	truncated bool
}

// Accept returns the part of p to pass on: p itself while under the limit;
// the bytes up to the limit followed by the marker when p reaches past it
// (a new slice); nothing once truncated. The cut does not split a
// character begun in p (text.RuneBoundary): the marker follows whole
// characters, so a capped UTF-8 log stays UTF-8.
func (c *Cap) Accept(p []byte) []byte {
	if c.truncated {
		return nil
	}
	if c.Limit <= 0 || int64(len(p)) <= c.Limit-c.kept {
		c.kept += int64(len(p))
		return p
	}
	room := text.RuneBoundary(p[:c.Limit-c.kept])
	out := append(append([]byte(nil), p[:room]...), TruncatedMarker(c.Limit)...)
	c.kept += int64(room)
	c.truncated = true
	return out
}

// Kept is how many bytes of the stream were passed on, the marker not
// counted.
func (c *Cap) Kept() int64 { return c.kept }

// Truncated reports whether the limit was reached and the marker passed on.
func (c *Cap) Truncated() bool { return c.truncated }
