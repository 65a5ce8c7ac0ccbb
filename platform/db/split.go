package db

import "strings"

// splitStatements cuts a migration file into statements by the rule
// documented in package schema: a statement ends at a ';' that is the last
// non-blank character of its line (or at the end of the file); lines whose
// first non-blank characters are "--" are comments and are dropped; blank
// statements are skipped. A ';' anywhere else (mid-line, in a string) does
// not split.
func splitStatements(src string) []string {
	var (
		out []string
		cur strings.Builder
	)
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for _, line := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") {
			continue
		}
		if strings.HasSuffix(trimmed, ";") {
			cur.WriteString(strings.TrimSuffix(strings.TrimRight(line, " \t"), ";"))
			flush()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	flush()
	return out
}
