package httpx

import (
	"encoding"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// coerceIntStrings rewrites a JSON body so that a string holding an
// integer ("2", " 2 ") where dst's type wants an integer becomes that
// number, as bk-job's JSON reader (Jackson) accepts it. Strings that are
// not integers ("2.5", "abc") are left alone, so decoding still refuses
// them by their JSON path. It returns the body unchanged (and false) when
// nothing was coerced or the body does not decode.
func coerceIntStrings(body []byte, dst any) ([]byte, bool) {
	var doc any
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return body, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return body, false // trailing data: left for json.Unmarshal to refuse
	}
	doc, changed := coerceValue(doc, reflect.TypeOf(dst), 0)
	if !changed {
		return body, false
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body, false
	}
	return out, true
}

// maxCoerceDepth bounds the walk over recursive types.
const maxCoerceDepth = 64

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// coerceValue walks v (a decoded JSON value) alongside t, the Go type it
// will be decoded into, and returns v with integer strings coerced.
func coerceValue(v any, t reflect.Type, depth int) (any, bool) {
	if t == nil || depth > maxCoerceDepth {
		return v, false
	}
	for t.Kind() == reflect.Pointer {
		if customDecoded(t) {
			return v, false
		}
		t = t.Elem()
	}
	if customDecoded(t) {
		return v, false
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, t.Bits()); err == nil {
				return json.Number(strconv.FormatInt(n, 10)), true
			}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseUint(strings.TrimSpace(s), 10, t.Bits()); err == nil {
				return json.Number(strconv.FormatUint(n, 10)), true
			}
		}
	case reflect.Slice, reflect.Array:
		list, ok := v.([]any)
		if !ok {
			return v, false
		}
		changed := false
		for i, item := range list {
			var c bool
			list[i], c = coerceValue(item, t.Elem(), depth+1)
			changed = changed || c
		}
		return list, changed
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return v, false
		}
		changed := false
		for k, item := range obj {
			var c bool
			obj[k], c = coerceValue(item, t.Elem(), depth+1)
			changed = changed || c
		}
		return obj, changed
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return v, false
		}
		fields := map[string]reflect.Type{}
		jsonFieldTypes(t, fields, 0)
		changed := false
		for k, item := range obj {
			ft, ok := fields[k]
			if !ok {
				ft = foldedField(fields, k)
			}
			var c bool
			obj[k], c = coerceValue(item, ft, depth+1)
			changed = changed || c
		}
		return obj, changed
	}
	return v, false
}

// customDecoded reports whether t decodes itself (its own UnmarshalJSON
// or UnmarshalText), which the walk leaves to it.
func customDecoded(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(jsonUnmarshalerType) || p.Implements(jsonUnmarshalerType) ||
		t.Implements(textUnmarshalerType) || p.Implements(textUnmarshalerType)
}

// jsonFieldTypes maps a struct's JSON names to their types as
// encoding/json sees them: untagged embedded structs are flattened,
// shallower names win.
func jsonFieldTypes(t reflect.Type, out map[string]reflect.Type, depth int) {
	if depth > maxCoerceDepth {
		return
	}
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := sf.Type
		if sf.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				embedded = append(embedded, ft)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if _, seen := out[name]; !seen {
			out[name] = sf.Type
			if strings.Contains(","+opts+",", ",string,") {
				out[name] = nil // ",string" fields want the string as it is
			}
		}
	}
	for _, et := range embedded {
		inner := map[string]reflect.Type{}
		jsonFieldTypes(et, inner, depth+1)
		for k, v := range inner {
			if _, seen := out[k]; !seen {
				out[k] = v
			}
		}
	}
}

// foldedField finds a field by case-insensitive name, as encoding/json
// matches keys that differ only in case.
func foldedField(fields map[string]reflect.Type, key string) reflect.Type {
	for name, t := range fields {
		if strings.EqualFold(name, key) {
			return t
		}
	}
	return nil
}
