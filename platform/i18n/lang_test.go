package i18n

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
		ok   bool
	}{
		{"en", English, true},
		{"EN", English, true},
		{"en-US", English, true},
		{"en_US", English, true},
		{"zh-cn", Chinese, true},
		{"zh_CN", Chinese, true},
		{"zh-CN", Chinese, true},
		{"zh", Chinese, true},
		{"zh-Hans-CN", Chinese, true},
		{" zh-cn ", Chinese, true},
		{"fr", "", false},
		{"english", "", false},
		{"*", "", false},
		{"", "", false},
		{"zh-cn;", "", false},
		{"zh\x00", "", false},
		{"中文", "", false},
		{"zh-" + strings.Repeat("a", 40), "", false},
	}
	for _, tt := range tests {
		got, ok := Match(tt.in)
		require.Equal(t, tt.ok, ok, "%q", tt.in)
		require.Equal(t, tt.want, got, "%q", tt.in)
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	tests := []struct {
		name, header string
		want         Lang
		ok           bool
	}{
		{"single", "zh-CN", Chinese, true},
		{"browser Chinese", "zh-CN,zh;q=0.9,en;q=0.8", Chinese, true},
		{"browser English", "en-US,en;q=0.9,zh-CN;q=0.8", English, true},
		{"q decides, not order", "en;q=0.5, zh;q=0.9", Chinese, true},
		{"first of equals", "zh, en", Chinese, true},
		{"unknown skipped", "fr-FR, de;q=0.9, zh-cn;q=0.1", Chinese, true},
		{"q=0 is not acceptable", "zh;q=0, en;q=0.1", English, true},
		{"only q=0", "zh;q=0", "", false},
		{"malformed q skipped", "zh;q=abc, en;q=0.2", English, true},
		{"NaN is no q-value", "zh;q=NaN, en;q=0.2", English, true},
		{"exponent is no q-value", "zh;q=1e0, en;q=0.2", English, true},
		{"q above 1 skipped", "zh;q=2, en", English, true},
		{"other parameter skipped", "zh;level=1, en", English, true},
		{"unknown only", "fr, de", "", false},
		{"star only", "*", "", false},
		{"empty", "", "", false},
		{"garbage", "\x00\xff;;;,,,==", "", false},
		{"spaces", "  zh-CN ;  q=0.7 ", Chinese, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FromAcceptLanguage(tt.header)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

// TestFromAcceptLanguageHuge: a header of a megabyte is read for its first
// ranges only; a language past them does not count.
func TestFromAcceptLanguageHuge(t *testing.T) {
	junk := strings.Repeat("fr;q=0.5,", maxAcceptRange)
	got, ok := FromAcceptLanguage(junk + "zh-CN" + strings.Repeat(",x", 1<<19))
	require.False(t, ok, "zh-CN comes after the ranges read")
	require.Empty(t, got)

	got, ok = FromAcceptLanguage("zh-CN," + strings.Repeat("y", 1<<20))
	require.True(t, ok)
	require.Equal(t, Chinese, got)
}
