package httpx

import (
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/i18n"
)

func TestResolveLanguage(t *testing.T) {
	tests := []struct {
		name           string
		cookie, header string
		accept         string
		want           i18n.Lang
	}{
		{"nothing: English", "", "", "", i18n.English},
		{"Accept-Language", "", "", "zh-CN,zh;q=0.9,en;q=0.8", i18n.Chinese},
		{"Accept-Language by q", "", "", "en;q=0.2, zh;q=0.9", i18n.Chinese},
		{"cookie zh-cn", "zh-cn", "", "", i18n.Chinese},
		{"cookie zh_CN", "zh_CN", "", "", i18n.Chinese},
		{"cookie beats Accept-Language", "en", "", "zh-CN", i18n.English},
		{"cookie beats the header", "zh-cn", "en", "", i18n.Chinese},
		{"header beats Accept-Language", "", "zh-cn", "en", i18n.Chinese},
		{"unknown cookie passed over", "fr", "", "zh-CN", i18n.Chinese},
		{"garbage cookie passed over", "%00\\x; zz", "", "zh", i18n.Chinese},
		{"cookie with other cookies after it", "zh_CN; lang=en", "", "en", i18n.Chinese},
		{"huge cookie passed over", strings.Repeat("z", 8000), "", "zh", i18n.Chinese},
		{"unknown everywhere: English", "fr", "de", "ja, ko;q=0.5", i18n.English},
		{"garbage Accept-Language: English", "", "", "\x7f;;q=,,==;", i18n.English},
		{"huge Accept-Language: English", "", "", strings.Repeat("xx-YY;q=0.9,", 50000) + "zh", i18n.English},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.cookie != "" {
				r.Header.Set("Cookie", "a=b; "+LanguageCookie+"="+tt.cookie)
			}
			if tt.header != "" {
				r.Header.Set(LanguageHeader, tt.header)
			}
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			require.Equal(t, tt.want, ResolveLanguage(r))
		})
	}
}

// statusAnswer is a Localizer as a module's answer is one: numbers from
// the service, texts filled at the door.
type statusAnswer struct {
	Status     int    `json:"status"`
	StatusDesc string `json:"status_desc"`
}

func (a statusAnswer) Localized(t i18n.Translator) any {
	a.StatusDesc = t.Text("status.host."+strconv.Itoa(a.Status), nil)
	return a
}

// v3Answer serves fn behind the language middleware, as NewServer mounts
// it, and returns the envelope for a request in lang ("" for none).
func v3Answer(t *testing.T, lang string, fn echo.HandlerFunc) V3Envelope {
	t.Helper()
	cat, err := i18n.Load()
	require.NoError(t, err)
	e := echo.New()
	e.Use(language(cat))
	e.POST("/api/v3/x", func(c echo.Context) error {
		SetActor(c, Actor{Username: "alice", AppCode: "ci"})
		return fn(c)
	})
	r := httptest.NewRequest(http.MethodPost, "/api/v3/x", nil)
	if lang != "" {
		r.Header.Set("Accept-Language", lang)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	var env V3Envelope
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &env), w.Body.String())
	return env
}

// TestV3MessageLanguage: English keeps each error's own text; Chinese gets
// the code's sentence with the field and reason filled in.
func TestV3MessageLanguage(t *testing.T) {
	notFound := errs.New("execute.jobNotFound", http.StatusNotFound, "job instance not found")
	tests := []struct {
		name   string
		err    error
		code   int
		en, zh string
	}{
		{"required", errs.Required("bk_scope_id").Withf("is required: give bk_scope_type and bk_scope_id"), 1241004,
			"bk_scope_id: is required: give bk_scope_type and bk_scope_id", "请求参数[bk_scope_id]缺失"},
		{"wrong type", errs.ErrInvalidType.Withf("must be an integer, got a JSON array").OnField("job_instance_id"), 1241005,
			"job_instance_id: must be an integer, got a JSON array", "请求参数[job_instance_id]不合法"},
		{"invalid with a reason", errs.Invalid("length", "must be 1..1000"), 1241010,
			"length: must be 1..1000", "请求参数[length]不合法，原因：must be 1..1000"},
		{"invalid without a field", errs.ErrInvalid.Withf("create_time_end is before create_time_start"), 1241012,
			"create_time_end is before create_time_start", "请求参数不合法，原因：create_time_end is before create_time_start"},
		{"required without a field", errs.ErrRequired, 1241004, "is required", "请求参数缺失"},
		{"not found", notFound.Withf("job instance 5 not found").OnField("job_instance_id"), 1244006,
			"job_instance_id: job instance 5 not found", "作业实例不存在"},
		{"operation not allowed", errs.New("execute.operationNotAllowed", http.StatusConflict, "x").Withf("cannot terminate the job: it has already ended (stopped)"), 1241003,
			"cannot terminate the job: it has already ended (stopped)", "不支持的操作：cannot terminate the job: it has already ended (stopped)"},
		{"unknown endpoint", errs.ErrUnsupportedAPI.Withf("unsupported API /api/v3/nope"), 1239003,
			"unsupported API /api/v3/nope", "不支持的API：unsupported API /api/v3/nope"},
		{"permission", ErrPermissionDenied.Withf("user alice has no permission to access_business on biz 2"), 1238001,
			"user alice has no permission to access_business on biz 2", "用户(alice)权限不足，请申请权限后重试"},
		{"unauthorized", errs.ErrUnauthorized.Withf("header X-Bkapi-Authorization is required"), 1240005,
			"header X-Bkapi-Authorization is required", "服务认证失败：header X-Bkapi-Authorization is required"},
		{"database", errs.ErrDatabase, 1252001, "database unavailable", "DB 不可用"},
		{"untyped", strconvErr(), 1240002, "internal error (request id rid)", "内部服务器异常"},
		{"a field naming a placeholder is not expanded", errs.Invalid("{reason}", "bad"), 1241010,
			"{reason}: bad", "请求参数[{reason}]不合法，原因：bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := func(c echo.Context) error {
				c.Response().Header().Set(echo.HeaderXRequestID, "rid")
				return V3Error(c, tt.err)
			}
			for lang, want := range map[string]string{"": tt.en, "en-US": tt.en, "fr": tt.en, "zh-CN": tt.zh} {
				env := v3Answer(t, lang, fn)
				require.Equal(t, tt.code, env.Code, "language %q", lang)
				require.Equal(t, want, env.Message, "language %q", lang)
			}
		})
	}
}

func strconvErr() error {
	_, err := strconv.Atoi("x")
	return err
}

func TestV3OKLanguage(t *testing.T) {
	ok := func(c echo.Context) error { return V3OK(c, statusAnswer{Status: 9}) }
	en := v3Answer(t, "", ok)
	require.Equal(t, "success", en.Message)
	require.Equal(t, map[string]any{"status": float64(9), "status_desc": "Succeeded"}, en.Data)
	zh := v3Answer(t, "zh-CN", ok)
	require.Equal(t, "成功", zh.Message)
	require.Equal(t, map[string]any{"status": float64(9), "status_desc": "执行成功"}, zh.Data)
}

// TestV3MessageWithoutMiddleware: an echo built without NewServer (as
// handler tests build) answers English.
func TestV3MessageWithoutMiddleware(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/api/v3/x", nil)
	r.Header.Set("Accept-Language", "zh-CN")
	w := httptest.NewRecorder()
	c := echo.New().NewContext(r, w)
	require.NoError(t, V3OK(c, statusAnswer{Status: 2}))
	require.JSONEq(t, `"success"`, field(t, w.Body.Bytes(), "message"))
	require.Contains(t, w.Body.String(), `"status_desc":"Invalid host"`)
}

func field(t *testing.T, body []byte, name string) string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &m))
	return string(m[name])
}

// TestV3CodesHaveSentences: every code the door can answer has its
// sentence in the catalogue (so a Chinese caller never gets English for
// it), and so has each unnamed sibling of a named-parameter code.
func TestV3CodesHaveSentences(t *testing.T) {
	cat, err := i18n.Load()
	require.NoError(t, err)
	codes := slices.Collect(maps.Values(v3CodeByErrCode))
	codes = append(codes, slices.Collect(maps.Values(v3CodeByStatus))...)
	codes = append(codes, v3IllegalParamWithName, v3IllegalParamWithReason, v3IllegalParamWithReasonOnly, v3InternalError)
	for _, l := range i18n.Languages() {
		tr := cat.In(l)
		require.True(t, tr.Has(v3SuccessKey), "%s %s", l, v3SuccessKey)
		for _, code := range codes {
			for _, f := range []string{"f", ""} {
				key := v3MessageKey(code, f)
				require.True(t, tr.Has(key), "%s: code %d (field %q) has no sentence %s", l, code, f, key)
			}
		}
	}
}

// TestBodyTooLargeLanguage: the 413 a v3 request gets before any handler
// runs is in the caller's language too.
func TestBodyTooLargeLanguage(t *testing.T) {
	srv, err := NewServer(Options{Addr: "127.0.0.1:0", MaxBodyBytes: 16}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	srv.Echo.POST("/api/v3/x", func(c echo.Context) error { return V3OK(c, nil) })
	for lang, want := range map[string]string{"en": "request body larger than 16 bytes", "zh-CN": "请求参数缺失或不合法：request body larger than 16 bytes"} {
		r := httptest.NewRequest(http.MethodPost, "/api/v3/x", strings.NewReader(strings.Repeat("x", 64)))
		r.AddCookie(&http.Cookie{Name: LanguageCookie, Value: lang})
		w := httptest.NewRecorder()
		srv.Echo.ServeHTTP(w, r)
		require.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
		var env V3Envelope
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &env), w.Body.String())
		require.Equal(t, v3APIParamNullOrIllegal, env.Code)
		require.Equal(t, want, env.Message)
	}
}
