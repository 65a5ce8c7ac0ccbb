// Package scriptcheck checks a script before it runs, as bk-job's script
// check does: a grammar check for shell (`bash -n`, which parses and never
// executes), built-in patterns for commands that destroy a host (rm -rf /,
// a fork bomb, mkfs, dd or a redirect onto a disk device), and the
// dangerous rules administrators define (regular expressions, RE2: matching
// is linear in the input, so no expression can make a check run away).
// Results carry bk-job's line, line_content, match_content, level and
// description. The package knows nothing of storage or callers; manage
// feeds it the enabled rules and records what it finds.
package scriptcheck
