package gse

import (
	"errors"
	"fmt"
	"strings"
)

// ErrScriptParams means a script_param string cannot be split into words
// (an unbalanced quote).
var ErrScriptParams = errors.New("script parameters")

// SplitParams is the one rule by which script parameters become the
// script's argument vector, on every transport: the string is split the
// way a POSIX shell splits words, and nothing is expanded. Blanks separate
// words; single quotes keep text literally; double quotes keep blanks (a
// backslash escapes " \ $ ` inside them); a backslash outside quotes
// escapes the next character. $(…), `…`, $VAR, globs, ; and | are plain
// text.
func SplitParams(s string) ([]string, error) {
	var (
		args   []string
		cur    strings.Builder
		inWord bool
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\\':
			inWord = true
			if i+1 < len(rs) {
				i++
				cur.WriteRune(rs[i])
			}
		case c == '\'':
			inWord = true
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				j++
			}
			if j == len(rs) {
				return nil, fmt.Errorf("%w: unterminated single quote", ErrScriptParams)
			}
			cur.WriteString(string(rs[i+1 : j]))
			i = j
		case c == '"':
			inWord = true
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) && strings.ContainsRune("\"\\$`", rs[j+1]) {
					j++
				}
				cur.WriteRune(rs[j])
			}
			if j == len(rs) {
				return nil, fmt.Errorf("%w: unterminated double quote", ErrScriptParams)
			}
			i = j
		default:
			inWord = true
			cur.WriteRune(c)
		}
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args, nil
}

// ShellQuote quotes s as one word for a POSIX shell: single quotes, each
// ' written as '\”.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// QuotedParams splits params by SplitParams and returns the words each
// quoted for a shell command line (" 'a' 'b c'"), with a leading blank when
// there are any, so a transport that must pass them through a shell passes
// exactly the words the agent would.
func QuotedParams(params string) (string, error) {
	args, err := SplitParams(params)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, a := range args {
		b.WriteByte(' ')
		b.WriteString(ShellQuote(a))
	}
	return b.String(), nil
}
