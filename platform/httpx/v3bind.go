package httpx

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/errs"
)

// BindV3 reads an OpenAPI v3 request into dst (a pointer to a struct): a
// GET request's query parameters, or a POST request's JSON body of at most
// maxBody bytes (an empty body falls back to the query). Errors name the
// parameter and never quote a value from the request, because bodies may
// carry secrets.
func BindV3(c echo.Context, dst any, maxBody int64) error {
	r := c.Request()
	if r.Method == http.MethodGet {
		return bindQuery(r.URL.Query(), dst)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return errs.ErrBadBody.Withf("read the request body: %v", err).OnField("body")
	}
	if int64(len(body)) > maxBody {
		return errs.ErrBadBody.Withf("larger than %d bytes", maxBody).OnField("body")
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return bindQuery(r.URL.Query(), dst)
	}
	// Integers sent as JSON strings ("2") are accepted, as bk-job's
	// Jackson reader does; errors are located in the body decoded.
	body, _ = coerceIntStrings(body, dst)
	if err := json.Unmarshal(body, dst); err != nil {
		return errs.InvalidJSON(body, err)
	}
	return nil
}

// bindQuery sets the fields of dst named by query keys (their json tags):
// strings, integers, booleans and lists of integers (repeated keys or
// comma-separated). Structured parameters need a POST body.
func bindQuery(q url.Values, dst any) error {
	fields := map[string]reflect.Value{}
	collectFields(reflect.ValueOf(dst).Elem(), fields)
	for key, vals := range q {
		f, ok := fields[key]
		if !ok || len(vals) == 0 {
			continue // bk-job ignores parameters it does not know
		}
		if err := setQueryValue(key, f, vals); err != nil {
			return err
		}
	}
	return nil
}

// collectFields maps json names to settable fields, descending into
// embedded structs as encoding/json does: only those without a json name
// (one with a name, such as execute's Caller, is an object the query cannot
// carry). Fields the server fills (web:"-") are never taken from a query.
func collectFields(v reflect.Value, out map[string]reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Tag.Get("web") == "-" {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && name == "" {
			collectFields(v.Field(i), out)
			continue
		}
		if name == "" || name == "-" || !sf.IsExported() {
			continue
		}
		out[name] = v.Field(i)
	}
}

// setQueryValue sets f from a key's values; a scalar takes the last one.
func setQueryValue(key string, f reflect.Value, vals []string) error {
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			f.Set(reflect.New(f.Type().Elem()))
		}
		f = f.Elem()
	}
	raw := vals[len(vals)-1]
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return errs.Invalid(key, "must be an integer")
		}
		f.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return errs.Invalid(key, "must be true or false")
		}
		f.SetBool(b)
	case reflect.Slice:
		if k := f.Type().Elem().Kind(); k != reflect.Int64 && k != reflect.Int {
			return errs.Invalid(key, "is structured: send it in a JSON body with POST")
		}
		list, err := parseIntList(key, vals)
		if err != nil {
			return err
		}
		s := reflect.MakeSlice(f.Type(), len(list), len(list))
		for i, n := range list {
			s.Index(i).SetInt(n)
		}
		f.Set(s)
	default:
		return errs.Invalid(key, "is structured: send it in a JSON body with POST")
	}
	return nil
}

// parseIntList reads repeated or comma-separated integers, optionally in
// brackets: ?id=1&id=2, ?id=1,2 or ?id=[1,2].
func parseIntList(key string, vals []string) ([]int64, error) {
	var list []int64
	for _, v := range vals {
		for _, part := range strings.Split(strings.Trim(v, "[]"), ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			n, err := strconv.ParseInt(part, 10, 64)
			if err != nil {
				return nil, errs.Invalid(key, "must be a list of integers")
			}
			list = append(list, n)
		}
	}
	return list, nil
}
