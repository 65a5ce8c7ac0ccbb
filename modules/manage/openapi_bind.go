package manage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/errs"
)

// maxV3Body bounds a request body; a credential with a private key is a
// few kilobytes.
const maxV3Body = 1 << 20

// bindV3 reads a GET request's query parameters or a POST request's JSON
// body into req, as modules/execute does. Errors name the parameter and
// never quote a value, because bodies here carry secrets.
func bindV3(c echo.Context, req any) error {
	r := c.Request()
	if r.Method == http.MethodGet {
		return bindQuery(r.URL.Query(), req)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxV3Body+1))
	if err != nil {
		return errs.Invalid("body", "read the request body: %v", err)
	}
	if len(body) > maxV3Body {
		return errs.Invalid("body", "larger than %d bytes", maxV3Body)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return bindQuery(r.URL.Query(), req)
	}
	if err := json.Unmarshal(body, req); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return errs.Invalid(te.Field, "must be %s", kindName(te.Type))
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return errs.Invalid("body", "not valid JSON (at byte %d)", se.Offset)
		}
		return errs.Invalid("body", "not a JSON object")
	}
	return nil
}

// bindQuery sets the fields of req (a pointer to a struct) named by query
// keys (their json tags): strings and integers.
func bindQuery(q url.Values, req any) error {
	fields := map[string]reflect.Value{}
	collectFields(reflect.ValueOf(req).Elem(), fields)
	for key, vals := range q {
		f, ok := fields[key]
		if !ok || len(vals) == 0 {
			continue // bk-job ignores parameters it does not know
		}
		if err := setQueryValue(key, f, vals[len(vals)-1]); err != nil {
			return err
		}
	}
	return nil
}

// collectFields maps json names to settable fields, descending into
// embedded structs.
func collectFields(v reflect.Value, out map[string]reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			collectFields(v.Field(i), out)
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" || !sf.IsExported() {
			continue
		}
		out[name] = v.Field(i)
	}
}

func setQueryValue(key string, f reflect.Value, raw string) error {
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			f.Set(reflect.New(f.Type().Elem()))
		}
		f = f.Elem()
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return errs.Invalid(key, "must be an integer")
		}
		f.SetInt(n)
	default:
		return errs.Invalid(key, "is structured: send it in a JSON body with POST")
	}
	return nil
}

// kindName describes a Go type in the API's words.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Pointer:
		return kindName(t.Elem())
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return fmt.Sprintf("a %s", t.Kind())
}
