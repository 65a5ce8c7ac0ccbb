package scriptcheck

import (
	"bytes"
	"context"
	"sort"
	"strings"
)

// Checker checks scripts: the grammar (shell), the built-in patterns
// (shell) and the rules it is given (their languages).
type Checker struct {
	Syntax Syntax
	// OnSyntaxError is told when the grammar check could not run (no bash,
	// a timeout); the check goes on without it. Nil ignores it.
	OnSyntaxError func(error)
}

// Check checks content, a script in language lang, against rules (the
// enabled ones, in their order). Results are sorted by line, then by
// severity (most severe first), at most MaxResults. content must not be
// longer than MaxContentBytes (the caller refuses it naming its field).
func (c Checker) Check(ctx context.Context, lang int, content []byte, rules []CompiledRule) []Result {
	text := string(bytes.ReplaceAll(content, []byte("\r\n"), []byte("\n")))
	lines := strings.Split(text, "\n")
	var out []Result
	if lang == LangShell {
		out = append(out, checkShebang(lang, lines[0])...)
		syn, err := c.Syntax.Check(ctx, []byte(text), lines)
		if err != nil && c.OnSyntaxError != nil {
			c.OnSyntaxError(err)
		}
		out = append(out, syn...)
		for i, l := range lines {
			out = append(out, checkBuiltins(i+1, l)...)
		}
	} else {
		out = append(out, checkShebang(lang, lines[0])...)
	}
	return capResults(append(out, matchRules(lang, lines, rules)...))
}

// MatchRules finds only the rules (no grammar check, no built-in
// patterns): what decides whether a script may run.
func MatchRules(lang int, content []byte, rules []CompiledRule) []Result {
	lines := strings.Split(string(bytes.ReplaceAll(content, []byte("\r\n"), []byte("\n"))), "\n")
	return capResults(matchRules(lang, lines, rules))
}

func matchRules(lang int, lines []string, rules []CompiledRule) []Result {
	var out []Result
	for _, r := range rules {
		if r.applies(lang) {
			out = append(out, matchRule(r, lines)...)
		}
	}
	return out
}

// matchRule finds rule r on each line: the first match of a line counts.
func matchRule(r CompiledRule, lines []string) []Result {
	level := LevelWarning
	if r.Action == ActionIntercept {
		level = LevelFatal
	}
	var out []Result
	for i, l := range lines {
		loc := r.re.FindStringIndex(l)
		if loc == nil {
			continue
		}
		out = append(out, Result{Line: i + 1, LineContent: clip(l), MatchContent: clip(l[loc[0]:loc[1]]),
			Level: level, Description: clip(r.Description), RuleID: r.ID, Action: r.Action})
	}
	return out
}

// capResults keeps the MaxResults most severe results (earlier lines first
// within a level), then orders them by line.
func capResults(out []Result) []Result {
	if len(out) > MaxResults {
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].Level != out[j].Level {
				return out[i].Level > out[j].Level
			}
			return out[i].Line < out[j].Line
		})
		out = out[:MaxResults]
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Level > out[j].Level
	})
	return out
}

// Intercepting returns the results that block a run: hits of intercept
// rules.
func Intercepting(results []Result) []Result {
	var out []Result
	for _, r := range results {
		if r.RuleID != 0 && r.Action == ActionIntercept {
			out = append(out, r)
		}
	}
	return out
}
