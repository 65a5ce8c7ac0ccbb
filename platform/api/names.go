package api

import "unicode"

// UpperFirst upper-cases a name's first letter, as the generators (apigen,
// tsgen) derive one identifier from another: "taskID" → "TaskID".
func UpperFirst(s string) string { return withFirst(s, unicode.ToUpper) }

// LowerFirst lower-cases a name's first letter: "FastExecuteScript" →
// "fastExecuteScript".
func LowerFirst(s string) string { return withFirst(s, unicode.ToLower) }

func withFirst(s string, f func(rune) rune) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = f(r[0])
	return string(r)
}
