package httpx

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/i18n"
)

// Where a caller's language is read, first match wins: the cookie bk-job's
// web gateway reads (the language the user picked in a BlueKing UI, so an
// explicit choice beats the browser's list), the header BlueKing's API
// gateway forwards a caller's language in, then HTTP's Accept-Language.
// A value naming no catalogue language is passed over; with none, English.
const (
	LanguageCookie = "blueking_language"
	LanguageHeader = "Blueking-Language"
)

// ResolveLanguage is the catalogue language r asks for (see LanguageCookie).
func ResolveLanguage(r *http.Request) i18n.Lang {
	if ck, err := r.Cookie(LanguageCookie); err == nil {
		if l, ok := i18n.Match(ck.Value); ok {
			return l
		}
	}
	if l, ok := i18n.Match(r.Header.Get(LanguageHeader)); ok {
		return l
	}
	if l, ok := i18n.FromAcceptLanguage(r.Header.Get("Accept-Language")); ok {
		return l
	}
	return i18n.English
}

// language resolves each request's language once, where it enters, and
// puts its translator into the request's context for whatever answers it.
func language(cat *i18n.Catalogue) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			c.SetRequest(r.WithContext(WithTranslator(r.Context(), cat.In(ResolveLanguage(r)))))
			return next(c)
		}
	}
}

type translatorKey struct{}

// WithTranslator stores the request's translator on ctx.
func WithTranslator(ctx context.Context, t i18n.Translator) context.Context {
	return context.WithValue(ctx, translatorKey{}, t)
}

// TranslatorFrom returns the translator on ctx, and whether there is one.
func TranslatorFrom(ctx context.Context) (i18n.Translator, bool) {
	t, ok := ctx.Value(translatorKey{}).(i18n.Translator)
	return t, ok
}

// TranslatorOf returns the translator of an echo request. A request that
// did not pass the language middleware (an echo built without NewServer,
// as handler tests build) reads English from a catalogue loaded for it.
func TranslatorOf(c echo.Context) i18n.Translator {
	if t, ok := TranslatorFrom(c.Request().Context()); ok {
		return t
	}
	cat, err := i18n.Load()
	if err != nil {
		// The embedded catalogue failed its checks, which i18n's tests
		// rule out: texts come back as their keys.
		loggerOf(c).Error("load message catalogue", "err", err)
		return i18n.Translator{}
	}
	return cat.In(i18n.English)
}
