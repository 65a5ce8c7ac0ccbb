package i18n

import (
	"strconv"
	"strings"
)

// Lang is a language the catalogue has, named as its file is (en.json,
// zh-CN.json) and as vue-i18n's locale is.
type Lang string

// The catalogue's languages. English is the default and the language
// bkjob's own texts are written in.
const (
	English Lang = "en"
	Chinese Lang = "zh-CN"
)

// Languages lists the catalogue's languages, English first.
func Languages() []Lang { return []Lang{English, Chinese} }

// Limits on what a caller's language values are read for: a longer tag is
// no language tag, and an Accept-Language header is read for its first
// ranges only, so a huge header costs no more than a short one.
const (
	maxTagLength   = 35 // RFC 5646's longest well-formed tag is 35 characters
	maxAcceptRange = 32
)

// Match maps a language value as callers send it (bk-job's cookie and
// header use "en", "zh-cn", "zh_CN"; browsers "en-US", "zh-Hans-CN") to a
// catalogue language. Any English tag is English; any Chinese tag is
// Simplified Chinese, the only Chinese the catalogue has (as bk-job maps
// every "zh" value). Anything else, including garbage, is not matched.
func Match(tag string) (Lang, bool) {
	tag = strings.TrimSpace(tag)
	if tag == "" || len(tag) > maxTagLength {
		return "", false
	}
	for _, r := range tag {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "", false
		}
	}
	primary, _, _ := strings.Cut(strings.ToLower(strings.ReplaceAll(tag, "_", "-")), "-")
	switch primary {
	case "en":
		return English, true
	case "zh":
		return Chinese, true
	}
	return "", false
}

// FromAcceptLanguage picks the catalogue language an Accept-Language
// header prefers most: the matched range with the highest q-value, the
// first of equals. Ranges with q=0 (not acceptable), a malformed q-value or
// no catalogue language are skipped; only the first maxAcceptRange ranges
// are read. It reports false when no range matches ("*" matches nothing:
// the caller's default applies).
func FromAcceptLanguage(header string) (Lang, bool) {
	var (
		best  Lang
		bestQ float64
	)
	for i := 0; i < maxAcceptRange && header != ""; i++ {
		var part string
		part, header, _ = strings.Cut(header, ",")
		tag, params, _ := strings.Cut(part, ";")
		q, ok := qValue(params)
		if !ok || q <= bestQ {
			continue
		}
		if l, ok := Match(tag); ok {
			best, bestQ = l, q
		}
	}
	return best, best != ""
}

// qValue reads a range's parameters ("q=0.8"); no q means 1.
func qValue(params string) (float64, bool) {
	params = strings.TrimSpace(params)
	if params == "" {
		return 1, true
	}
	name, value, ok := strings.Cut(params, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
		return 0, false
	}
	value = strings.TrimSpace(value)
	// RFC 9110: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ),
	// so digits and a dot, at most 5 of them ("NaN" and "1e0" are not one).
	if len(value) == 0 || len(value) > 5 || strings.Trim(value, "0123456789.") != "" {
		return 0, false
	}
	q, err := strconv.ParseFloat(value, 64)
	if err != nil || q < 0 || q > 1 {
		return 0, false
	}
	return q, true
}
