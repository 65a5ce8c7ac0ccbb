package i18n

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// TestCatalogueLoads checks the shipped catalogue: it passes Load's checks
// (same keys and placeholders in every language, nothing vue-i18n
// reserves), and every key has a non-empty text in every language.
func TestCatalogueLoads(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	keys := c.Keys()
	require.NotEmpty(t, keys)
	for _, l := range Languages() {
		tr := c.In(l)
		require.Equal(t, l, tr.Lang())
		for _, k := range keys {
			require.True(t, tr.Has(k), "%s %s", l, k)
			require.NotEmpty(t, strings.TrimSpace(tr.Text(k, nil)), "%s %s", l, k)
		}
	}
}

// TestCatalogueTexts spot-checks texts bk-job clients see: bk-job's own
// Chinese for a host status and a missing parameter.
func TestCatalogueTexts(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	zh, en := c.In(Chinese), c.In(English)
	require.Equal(t, "执行成功", zh.Text("status.host.9", nil))
	require.Equal(t, "Succeeded", en.Text("status.host.9", nil))
	require.Equal(t, "请求参数[bk_scope_id]缺失", zh.Text("v3.code.1241004", Args{"field": "bk_scope_id"}))
	require.Equal(t, "success", en.Text("v3.success", nil))
	require.Equal(t, "成功", zh.Text("v3.success", nil))
}

func TestText(t *testing.T) {
	c := mustLoad(t, `{"a":"[{field}] {reason}; {field}","b":"plain","c":"{x}"}`,
		`{"a":"[{field}]{reason}，{field}","b":"纯","c":"{x}"}`)
	en := c.In(English)
	tests := []struct {
		name, key string
		args      Args
		want      string
	}{
		{"filled", "a", Args{"field": "f", "reason": "r"}, "[f] r; f"},
		{"a value is not read for placeholders", "a", Args{"field": "{reason}", "reason": "{field}"}, "[{reason}] {field}; {reason}"},
		{"a missing arg stays as written", "a", Args{"field": "f"}, "[f] {reason}; f"},
		{"no placeholders", "b", Args{"field": "f"}, "plain"},
		{"no args", "c", nil, "{x}"},
		{"unknown key comes back as the key", "nope", nil, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, en.Text(tt.key, tt.args))
		})
	}
	require.Equal(t, "[f]r，f", c.In(Chinese).Text("a", Args{"field": "f", "reason": "r"}))
	require.Equal(t, English, c.In("fr").Lang(), "a language the catalogue lacks reads English")
	require.Equal(t, "k", Translator{}.Text("k", nil), "the zero translator has no texts")
	require.False(t, Translator{}.Has("k"))
}

// TestLoadRejects feeds broken catalogues to LoadFS: each must fail naming
// what is wrong.
func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name, en, zh, want string
	}{
		{"key missing in Chinese", `{"a":"x","b":"y"}`, `{"a":"x"}`, "zh-CN b: missing"},
		{"key only in Chinese", `{"a":"x"}`, `{"a":"x","b":"y"}`, "zh-CN b: not in en"},
		{"placeholders differ", `{"a":"{field}"}`, `{"a":"{reason}"}`, "placeholders [reason], en has [field]"},
		{"placeholder missing", `{"a":"{field} {reason}"}`, `{"a":"{field}"}`, "placeholders [field]"},
		{"vue-i18n linked message", `{"a":"mail@host"}`, `{"a":"x"}`, "reserved character '@'"},
		{"vue-i18n plural", `{"a":"one | two"}`, `{"a":"x"}`, "reserved character '|'"},
		{"dollar", `{"a":"x"}`, `{"a":"$x"}`, "reserved character '$'"},
		{"unclosed brace", `{"a":"{field"}`, `{"a":"x"}`, "unclosed {"},
		{"stray closing brace", `{"a":"x}"}`, `{"a":"x"}`, "unmatched }"},
		{"bad placeholder name", `{"a":"{Field}"}`, `{"a":"{Field}"}`, "a name is lower-case letters"},
		{"empty placeholder", `{"a":"{}"}`, `{"a":"{}"}`, "placeholder {}"},
		{"number value", `{"a":1}`, `{"a":"x"}`, "a value is a text or an object"},
		{"array value", `{"a":["x"]}`, `{"a":"x"}`, "a value is a text or an object"},
		{"dotted key", `{"a.b":"x"}`, `{"a.b":"x"}`, "without dots"},
		{"not JSON", `{`, `{}`, "decode"},
		{"not an object", `"x"`, `{}`, "decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFS(files(tt.en, tt.zh))
			require.ErrorContains(t, err, tt.want)
		})
	}
	_, err := LoadFS(fstest.MapFS{"locales/en.json": {Data: []byte(`{}`)}})
	require.ErrorContains(t, err, "read catalogue locales/zh-CN.json")
}

func files(en, zh string) fstest.MapFS {
	return fstest.MapFS{
		"locales/en.json":    {Data: []byte(en)},
		"locales/zh-CN.json": {Data: []byte(zh)},
	}
}

func mustLoad(t *testing.T, en, zh string) *Catalogue {
	t.Helper()
	c, err := LoadFS(files(en, zh))
	require.NoError(t, err)
	return c
}
