package scriptcheck

import (
	"strings"
	"unicode/utf8"
)

// Script languages (bk-job ScriptTypeEnum).
const (
	LangShell      = 1
	LangBat        = 2
	LangPerl       = 3
	LangPython     = 4
	LangPowerShell = 5
	LangSQL        = 6
)

// Result levels (bk-job ScriptCheckErrorLevelEnum).
const (
	LevelWarning = 1
	LevelError   = 2
	LevelFatal   = 3
)

// Rule actions (bk-job DangerousRuleActionEnum).
const (
	ActionScan      = 1 // record and warn, the script runs
	ActionIntercept = 2 // record and refuse the run
)

// Limits that keep a check bounded whatever it is given.
const (
	// MaxContentBytes is the largest script checked: fast_execute_script's
	// own limit on script content.
	MaxContentBytes = 5 * 1024 * 1024
	// MaxResults caps the items of one check; a script hitting more is
	// reported up to the cap (the most severe are never dropped: fatal
	// hits are kept first).
	MaxResults = 500
	// maxShown is how many characters of a line or a match a result quotes.
	maxShown = 256
)

// Result is one finding, bk-job's check_script item. RuleID and Action
// say which administrator rule matched (0 for the grammar check and the
// built-in patterns); they stay inside bkjob (json "-").
type Result struct {
	Line         int    `json:"line"`
	LineContent  string `json:"line_content"`
	MatchContent string `json:"match_content"`
	Level        int    `json:"level"`
	Description  string `json:"description"`
	RuleID       int64  `json:"-"`
	Action       int    `json:"-"`
}

// clip keeps the first maxShown characters of s, valid UTF-8 (a binary
// script's bytes become U+FFFD), so a result never carries a huge line.
func clip(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if utf8.RuneCountInString(s) <= maxShown {
		return s
	}
	r := []rune(s)
	return string(r[:maxShown]) + "…"
}

// LanguageName is a language's display name ("" when unknown).
func LanguageName(lang int) string {
	switch lang {
	case LangShell:
		return "Shell"
	case LangBat:
		return "Bat"
	case LangPerl:
		return "Perl"
	case LangPython:
		return "Python"
	case LangPowerShell:
		return "PowerShell"
	case LangSQL:
		return "SQL"
	}
	return ""
}
