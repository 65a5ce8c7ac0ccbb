package scriptcheck

import (
	"regexp"
	"unicode/utf8"

	"github.com/bkjob/bkjob/platform/errs"
)

// MaxExpressionChars bounds a rule's expression (bk-job keeps it in a
// VARCHAR(255) column).
const MaxExpressionChars = 255

// Rule is an administrator's dangerous rule as the checker uses it.
type Rule struct {
	ID          int64
	Expression  string
	Languages   []int
	Description string
	Action      int
}

// CompiledRule is a Rule whose expression compiled.
type CompiledRule struct {
	Rule
	re *regexp.Regexp
}

// applies reports whether the rule is for language lang.
func (r CompiledRule) applies(lang int) bool {
	for _, l := range r.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// CompileExpression checks a rule expression given in the request field
// field and compiles it. Go's regexp is RE2: no backreferences or
// lookaround, and matching time is linear in the input, so a hostile
// expression cannot hang a check; an oversized one fails to compile
// ("expression too large") and is refused here. An expression that
// matches an empty line would match every script and is refused too.
func CompileExpression(field, expr string) (*regexp.Regexp, error) {
	switch n := utf8.RuneCountInString(expr); {
	case expr == "":
		return nil, errs.Required(field).Withf("is required: a regular expression (RE2 syntax)")
	case !utf8.ValidString(expr):
		return nil, errs.Invalid(field, "must be UTF-8 text")
	case n > MaxExpressionChars:
		return nil, errs.Invalid(field, "at most %d characters, got %d", MaxExpressionChars, n)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		// The parser's message names the construct at fault, not the
		// whole expression; it is safe to show.
		return nil, errs.Invalid(field, "is not a valid regular expression (RE2 syntax): %v", err)
	}
	if re.MatchString("") {
		return nil, errs.Invalid(field, "matches an empty line, so it would match every script")
	}
	return re, nil
}

// Compile compiles rules for a check. A stored rule whose expression no
// longer compiles (it was checked when saved) is skipped rather than
// failing every run; bad lists the ids skipped.
func Compile(rules []Rule) (compiled []CompiledRule, bad []int64) {
	for _, r := range rules {
		re, err := CompileExpression("expression", r.Expression)
		if err != nil {
			bad = append(bad, r.ID)
			continue
		}
		compiled = append(compiled, CompiledRule{Rule: r, re: re})
	}
	return compiled, bad
}
