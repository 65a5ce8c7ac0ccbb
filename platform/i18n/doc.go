// Package i18n holds bkjob's message catalogue: one JSON file per language
// under locales/ (en.json, zh-CN.json) with the texts a caller reads (v3
// envelope messages per code, status descriptions). The web UI imports the
// same files (vue-i18n, through the @locales alias in frontend/vite.config.ts),
// so there is one source of truth per language and the server embeds it.
//
// Keys are nested objects flattened with dots ("status.host.9"); a text may
// name placeholders in braces ("请求参数[{field}]缺失"), the named
// interpolation both vue-i18n and Translator.Text understand. Load checks
// that every language has the same keys and, per key, the same
// placeholders, and that no text uses a character vue-i18n's message
// syntax reserves.
//
// The language of a request is resolved once, where it enters (httpx's
// language middleware), from the values Match and FromAcceptLanguage read.
package i18n
