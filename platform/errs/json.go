package errs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// InvalidJSON turns the error of json.Unmarshal(body, …) into an ErrInvalid
// (ErrInvalidType for a value of the wrong type, ErrBadBody for a body
// that is not JSON)
// that names the API field at fault by its JSON path
// (file_source_list[0].file_list), never by a Go type path
// (ScopeRef.bk_scope_id), and never quotes a value from the body, because
// bodies may carry secrets.
func InvalidJSON(body []byte, err error) *Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		got, _, _ := strings.Cut(te.Value, " ") // "number 5" → "number": no value
		return ErrInvalidType.Withf("must be %s, got a JSON %s", kindName(te.Type), got).OnField(jsonField(body, te))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return ErrBadBody.Withf("not valid JSON (at byte %d)", se.Offset).OnField("body")
	}
	return ErrBadBody.Withf("not a JSON object").OnField("body")
}

// jsonField is the JSON path of the value a type error is about: read from
// the body up to the error's offset, or, when that does not agree with
// encoding/json's own field path (whose parts may be Go type names of
// embedded structs), the last name of that path.
func jsonField(body []byte, te *json.UnmarshalTypeError) string {
	last := te.Field
	if i := strings.LastIndexByte(last, '.'); i >= 0 {
		last = last[i+1:]
	}
	if p := jsonPathAt(body, te.Offset); p != "" && (last == "" || strings.HasSuffix(stripIndexes(p), last)) {
		return p
	}
	if last == "" {
		return "body"
	}
	return last
}

// pathFrame is one open object or array while walking a JSON document.
type pathFrame struct {
	array   bool
	index   int
	key     string
	wantKey bool
}

// jsonPathAt returns the path (a.b[2].c) of the first value that ends at
// or after offset, or "" when offset is not inside a value.
func jsonPathAt(body []byte, offset int64) string {
	if offset <= 0 {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []pathFrame
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		end := dec.InputOffset()
		d, isDelim := tok.(json.Delim)
		if isDelim && (d == '}' || d == ']') {
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			if top.wantKey {
				top.key, _ = tok.(string)
				top.wantKey = false
				continue
			}
			if top.array {
				top.index++
			} else {
				top.wantKey = true
			}
		}
		if end >= offset {
			return framePath(stack)
		}
		if isDelim {
			stack = append(stack, pathFrame{array: d == '[', index: -1, wantKey: d == '{'})
		}
	}
}

func framePath(stack []pathFrame) string {
	var b strings.Builder
	for _, f := range stack {
		if f.array {
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(f.key)
	}
	return b.String()
}

// stripIndexes drops [n] parts: a[0].b[1] → a.b.
func stripIndexes(p string) string {
	var b strings.Builder
	for len(p) > 0 {
		i := strings.IndexByte(p, '[')
		if i < 0 {
			b.WriteString(p)
			break
		}
		b.WriteString(p[:i])
		j := strings.IndexByte(p[i:], ']')
		if j < 0 {
			break
		}
		p = p[i+j+1:]
	}
	return b.String()
}

// kindName describes a Go type in the API's words.
func kindName(t reflect.Type) string {
	if t == nil {
		return "a value of another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return fmt.Sprintf("a %s", t.Kind())
}
