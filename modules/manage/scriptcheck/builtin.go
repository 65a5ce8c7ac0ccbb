package scriptcheck

import (
	"regexp"
	"strings"
)

// builtin is a pattern bkjob always checks shell scripts for: commands that
// destroy a host whatever rules an administrator set. keep, when set,
// decides on a match the expression alone cannot (RE2 has no lookaround or
// backreferences). hints are substrings one of which a line must hold for
// the expression to be tried (most lines hold none: a cheap pre-filter).
type builtin struct {
	hints       []string
	re          *regexp.Regexp
	keep        func(m []string) bool
	level       int
	description string
}

// cmdStart is where a command may begin: the line start or after a
// separator, sudo included.
const cmdStart = `(?:^|[;&|({]\s*|\bsudo\s+|\bthen\s+|\bdo\s+)`

var builtins = []builtin{
	{
		hints:       []string{"rm"},
		re:          regexp.MustCompile(cmdStart + `rm\s+((?:-{1,2}[A-Za-z-]+\s+)+)(/\*?|/\s+\*|--no-preserve-root\s+/)(?:\s|;|&|\||$)`),
		keep:        func(m []string) bool { return recursiveRM(m[1]) },
		level:       LevelFatal,
		description: "Deletes the root directory recursively (rm -rf /)",
	},
	{
		hints:       []string{"()"},
		re:          regexp.MustCompile(`([A-Za-z_:.][\w:.]*)\s*\(\)\s*\{\s*([A-Za-z_:.][\w:.]*)\s*\|\s*([A-Za-z_:.][\w:.]*)\s*&`),
		keep:        func(m []string) bool { return m[1] == m[2] && m[2] == m[3] },
		level:       LevelFatal,
		description: "Fork bomb: a function that pipes into itself in the background",
	},
	{
		hints:       []string{"mk", "wipefs"},
		re:          regexp.MustCompile(cmdStart + `(mkfs(?:\.[\w]+)?|mke2fs|mkswap|wipefs)\s`),
		level:       LevelFatal,
		description: "Formats a disk or partition (mkfs)",
	},
	{
		hints:       []string{"of=/dev/"},
		re:          regexp.MustCompile(`\bdd\b[^\n]*\bof=/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|disk|mapper/)\S*`),
		level:       LevelFatal,
		description: "Writes raw data onto a disk device (dd of=/dev/…)",
	},
	{
		hints:       []string{"/dev/"},
		re:          regexp.MustCompile(`(?:>\s*|\btee\s+(?:-a\s+)?)/dev/(?:sd|hd|vd|xvd|nvme|mmcblk)[a-z0-9]*\b`),
		level:       LevelFatal,
		description: "Overwrites a disk device (> /dev/sd…, tee /dev/sd…)",
	},
	{
		hints:       []string{"fdisk", "parted"},
		re:          regexp.MustCompile(cmdStart + `(fdisk|sfdisk|parted)\s+([^\n]*)`),
		keep:        func(m []string) bool { return !listOnly(m[2]) },
		level:       LevelError,
		description: "Changes a disk's partition table (fdisk, parted)",
	},
}

// recursiveRM reports whether rm's flags include a recursive one.
func recursiveRM(flags string) bool {
	for _, f := range strings.Fields(flags) {
		if f == "--recursive" {
			return true
		}
		if !strings.HasPrefix(f, "--") && strings.ContainsAny(f, "rR") {
			return true
		}
	}
	return false
}

// listOnly: fdisk -l and parted -l only read.
func listOnly(args string) bool {
	for _, f := range strings.Fields(args) {
		if f == "-l" || f == "--list" || f == "print" {
			return true
		}
	}
	return false
}

// checkBuiltins looks for the built-in patterns on one line of a shell
// script (comments skipped).
func checkBuiltins(lineNo int, line string) []Result {
	code := strings.TrimSpace(line)
	if code == "" || strings.HasPrefix(code, "#") {
		return nil
	}
	var out []Result
	for _, b := range builtins {
		if !containsAny(code, b.hints) {
			continue
		}
		m := b.re.FindStringSubmatch(code)
		if m == nil || b.keep != nil && !b.keep(m) {
			continue
		}
		out = append(out, Result{Line: lineNo, LineContent: clip(line), MatchContent: clip(strings.TrimSpace(m[0])),
			Level: b.level, Description: b.description})
	}
	return out
}

// shebangLanguages are the languages whose first line should name an
// interpreter.
var shebangLanguages = map[int]bool{LangShell: true, LangPerl: true, LangPython: true}

// checkShebang warns, as bk-job does, when a script's first line names no
// interpreter.
func checkShebang(lang int, first string) []Result {
	if !shebangLanguages[lang] || strings.HasPrefix(strings.TrimSpace(first), "#!") {
		return nil
	}
	return []Result{{Line: 1, LineContent: clip(first), MatchContent: clip(first), Level: LevelWarning,
		Description: "The first line of the script does not define a valid script type, for example: #!/bin/bash"}}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
