package api

import "unicode"

// UpperFirst and LowerFirst change the case of a name's first letter, as
// the generators (apigen, tsgen) derive one identifier from another:
// "taskID" → "TaskID", "FastExecuteScript" → "fastExecuteScript".
func UpperFirst(s string) string { return withFirst(s, unicode.ToUpper) }

// LowerFirst: see UpperFirst.
func LowerFirst(s string) string { return withFirst(s, unicode.ToLower) }

func withFirst(s string, f func(rune) rune) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = f(r[0])
	return string(r)
}
