package httpx

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/i18n"
)

// v3Message is the envelope message for e, answered with code, in the
// request's language. English is the language bkjob's error texts are
// written in, next to the condition they describe: an English caller gets
// that text ("job_instance_id: is required: a positive job instance id").
// Another language gets the code's sentence from the catalogue with the
// field, the reason (e's English text) and the caller filled in
// ("请求参数[job_instance_id]缺失"); which of them a code's sentence shows is
// the catalogue's choice. A code the catalogue lacks keeps the English text.
func v3Message(c echo.Context, code int, e *errs.Error) string {
	text := e.Error()
	t := TranslatorOf(c)
	if t.Lang() == i18n.English && text != "" {
		return text
	}
	key := v3MessageKey(code, e.Field)
	if !t.Has(key) {
		return text
	}
	return t.Text(key, i18n.Args{"field": e.Field, "reason": e.Message, "user": callerName(c)})
}

// v3MessageKey is the catalogue key of code's sentence. A code whose
// sentence names the parameter takes its unnamed sibling's sentence when
// the error names none, as bk-job pairs them (1241004/1241001,
// 1241005/1241002, 1241010/1241012).
func v3MessageKey(code int, field string) string {
	if field == "" {
		switch code {
		case v3MissingParamWithName:
			code = v3MissingParam
		case v3IllegalParamWithName:
			code = v3IllegalParam
		case v3IllegalParamWithReason:
			code = v3IllegalParamWithReasonOnly
		}
	}
	return "v3.code." + strconv.Itoa(code)
}

// v3MissingParam is MISSING_PARAM, 1241004's unnamed sibling; no error
// answers it, only its sentence is used.
const v3MissingParam = 1241001

// v3SuccessKey is the catalogue key of a successful answer's message.
const v3SuccessKey = "v3.success"

// callerName names the authenticated caller in a message: the user, or
// the app acting without one.
func callerName(c echo.Context) string {
	a, _ := ActorOf(c)
	if a.Username != "" {
		return a.Username
	}
	return a.AppCode
}
