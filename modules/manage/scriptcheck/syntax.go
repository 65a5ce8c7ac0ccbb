package scriptcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultSyntaxTimeout bounds one `bash -n`: parsing even a maximal script
// takes a fraction of that.
const DefaultSyntaxTimeout = 5 * time.Second

// maxStderr bounds what is kept of bash's complaints.
const maxStderr = 64 << 10

// syntaxLine reads bash's "bash: line 3: syntax error …" messages.
var syntaxLine = regexp.MustCompile(`(?m)^[^:\n]*: line (\d+): (.*)$`)

// Syntax runs `bash -n` over a shell script. -n makes bash read and parse
// the script and never execute a command of it; the script goes in on
// stdin (a private file, never named on the command line), bash starts without a profile, rc
// file, BASH_ENV or inherited environment, in an empty temporary directory,
// and is killed when ctx ends or after the timeout.
type Syntax struct {
	// Bash is the shell's path; empty looks "bash" up on PATH at each check
	// and skips the grammar check when there is none.
	Bash    string
	Timeout time.Duration
}

// ErrNoBash is the grammar check's error when no bash is installed.
var ErrNoBash = errors.New("bash not found")

// Check returns bash's syntax errors as results of level ERROR.
func (s Syntax) Check(ctx context.Context, content []byte, lines []string) ([]Result, error) {
	bash := s.Bash
	if bash == "" {
		p, err := exec.LookPath("bash")
		if err != nil {
			return nil, ErrNoBash
		}
		bash = p
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultSyntaxTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "bkjob-bash-n-")
	if err != nil {
		return nil, fmt.Errorf("make directory for bash -n: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	cmd := exec.CommandContext(ctx, bash, "--noprofile", "--norc", "-n") //nolint:gosec // G204: a fixed shell and flags; the script is data on stdin and -n never runs it
	// stdin is a file, not a pipe: bash reads a pipe one byte at a time
	// (so as not to read past a command), which takes seconds for a script
	// of megabytes; a regular file it reads in blocks.
	in, err := scriptFile(dir, content)
	if err != nil {
		return nil, err
	}
	defer func() { _ = in.Close() }()
	cmd.Stdin = in
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "HOME=" + dir}
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("bash -n: %w", ctx.Err())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, fmt.Errorf("bash -n: %w", err)
	}
	return parseSyntax(stderr.String(), lines), nil
}

// scriptFile writes content into dir (the check's own temporary
// directory, mode 0700) and returns it open for reading, at its start.
func scriptFile(dir string, content []byte) (*os.File, error) {
	f, err := os.CreateTemp(dir, "script-")
	if err != nil {
		return nil, fmt.Errorf("write script for bash -n: %w", err)
	}
	if _, err := f.Write(content); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write script for bash -n: %w", err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("rewind script for bash -n: %w", err)
	}
	return f, nil
}

// parseSyntax turns bash's messages into results; bash repeats the
// offending text on a second "line N: `…'" message, which is folded into
// the first one of that line.
func parseSyntax(stderr string, lines []string) []Result {
	var out []Result
	seen := map[int]int{}
	for _, m := range syntaxLine.FindAllStringSubmatch(stderr, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 {
			continue
		}
		msg := strings.TrimSpace(m[2])
		if i, ok := seen[n]; ok {
			if out[i].MatchContent == "" {
				out[i].MatchContent = clip(strings.Trim(msg, "`'"))
			}
			continue
		}
		content := ""
		if n <= len(lines) {
			content = lines[n-1]
		}
		seen[n] = len(out)
		out = append(out, Result{Line: n, LineContent: clip(content), Level: LevelError, Description: clip("Syntax error: " + msg)})
	}
	return out
}

// limitedBuffer keeps the first maxStderr bytes written to it and drops
// the rest (still reporting them written, so bash is never blocked).
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxStderr - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
