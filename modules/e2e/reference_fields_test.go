package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// referenceEndpoint is what testdata/reference_v3.json keeps of one v3
// endpoint from bk-job's reference: where the gateway serves it, its
// documented request example and the documented fields of its data.
type referenceEndpoint struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	BackendPath string `json:"backend_path"`
	ESBPath     string `json:"esb_path"`
	Doc         string `json:"doc"`
	// Request is the example: a JSON body, or a GET example's query.
	Request json.RawMessage `json:"request"`
	// ResponseFields maps a path under data ("a.b", "list[].c") to its
	// documented type; a trailing "?" marks a field that may be null.
	ResponseFields map[string]string `json:"response_fields"`
	// DataNone: the doc documents no data (delete_dangerous_rule).
	DataNone bool `json:"data_none"`
}

// loadReference reads testdata/reference_v3.json: endpoint name →
// its facts (keys starting with "_" say where they come from).
func loadReference(t *testing.T) map[string]referenceEndpoint {
	t.Helper()
	raw, err := os.ReadFile("testdata/reference_v3.json")
	require.NoError(t, err)
	var all map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &all))
	out := map[string]referenceEndpoint{}
	for name, v := range all {
		if strings.HasPrefix(name, "_") {
			continue
		}
		var e referenceEndpoint
		require.NoError(t, json.Unmarshal(v, &e), name)
		require.True(t, e.DataNone || len(e.ResponseFields) > 0, "%s: no documented response fields", name)
		out[name] = e
	}
	return out
}

// example decodes a fresh copy of the endpoint's request example, numbers
// kept as written.
func (e referenceEndpoint) example(t *testing.T) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(e.Request))
	dec.UseNumber()
	var req map[string]any
	require.NoError(t, dec.Decode(&req))
	return req
}

// exampleEdit changes one part of a request example: sets a value, drops
// a key, or keeps the first n items of a list. Paths are dotted keys and
// list indexes ("file_source_list.0.account.id").
type exampleEdit struct {
	path  string
	value any
	drop  bool
	add   bool // the example lacks the key: add it (a parameter bkjob needs)
	keep  int  // > 0: keep this many items of the list at path
}

func setTo(path string, v any) exampleEdit     { return exampleEdit{path: path, value: v} }
func dropKey(path string) exampleEdit          { return exampleEdit{path: path, drop: true} }
func addKey(path string, v any) exampleEdit    { return exampleEdit{path: path, value: v, add: true} }
func keepFirst(path string, n int) exampleEdit { return exampleEdit{path: path, keep: n} }

// apply makes the edits on req; an edit naming a part the example does
// not have fails the test, so a row cannot drift from its example.
func applyEdits(t *testing.T, req map[string]any, edits []exampleEdit) {
	t.Helper()
	for _, ed := range edits {
		parts := strings.Split(ed.path, ".")
		parent := any(req)
		for _, p := range parts[:len(parts)-1] {
			parent = child(t, parent, p, ed.path)
		}
		last := parts[len(parts)-1]
		obj, ok := parent.(map[string]any)
		if !ok {
			require.Failf(t, "bad edit", "%s: the example has no object there", ed.path)
		}
		old, present := obj[last]
		switch {
		case ed.add:
			require.False(t, present, "%s: the example has the key already: set it", ed.path)
			obj[last] = ed.value
		case ed.drop:
			require.True(t, present, "%s: the example has no such key to drop", ed.path)
			delete(obj, last)
		case ed.keep > 0:
			items, ok := old.([]any)
			require.True(t, ok && len(items) > ed.keep, "%s: the example has no list longer than %d there", ed.path, ed.keep)
			obj[last] = items[:ed.keep]
		default:
			require.True(t, present, "%s: the example has no such key to set", ed.path)
			obj[last] = ed.value
		}
	}
}

func child(t *testing.T, v any, key, path string) any {
	t.Helper()
	switch c := v.(type) {
	case map[string]any:
		next, ok := c[key]
		require.True(t, ok, "%s: the example has no %q", path, key)
		return next
	case []any:
		i, err := strconv.Atoi(key)
		require.NoError(t, err, "%s: %q indexes a list", path, key)
		require.Less(t, i, len(c), path)
		return c[i]
	}
	require.Failf(t, "bad edit", "%s: the example has no object or list at %q", path, key)
	return nil
}

// fieldCheck compares an answer's data with the documented fields. omitted
// lists the documented fields (or whole objects and lists, by path prefix)
// bkjob leaves out in this answer, with the reason; a field that is there
// is checked all the same.
type fieldCheck struct {
	omitted  map[string]string
	used     map[string]bool
	problems map[string]bool
}

// checkFields returns what in data differs from fields: a documented field
// missing, of another JSON type, or a list left empty so its items cannot
// be checked, unless omitted says why; and an omitted entry never needed.
func checkFields(data any, fields, omitted map[string]string) []string {
	fc := &fieldCheck{omitted: omitted, used: map[string]bool{}, problems: map[string]bool{}}
	if l, ok := data.([]any); ok {
		// data is a list (check_script): its fields are documented as
		// "[].<field>", the list under the empty key.
		data = map[string]any{"": l}
	}
	for path, doc := range fields {
		fc.walk(data, strings.Split(path, "."), "", path, doc)
	}
	for k, why := range omitted {
		if !fc.used[k] {
			fc.fail("%s is listed as omitted (%s) but the answer has it: drop the exception", k, why)
		}
	}
	out := make([]string, 0, len(fc.problems))
	for p := range fc.problems {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func (fc *fieldCheck) fail(format string, args ...any) {
	fc.problems[fmt.Sprintf(format, args...)] = true
}

// exempt reports whether path, or an object or list it is in, is omitted.
func (fc *fieldCheck) exempt(path string) bool {
	for k := range fc.omitted {
		if path == k || strings.HasPrefix(path, k+".") || strings.HasPrefix(path, k+"[]") {
			fc.used[k] = true
			return true
		}
	}
	return false
}

func joinPath(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

// walk follows segs from v ("[]" on a segment: into every item of that
// list) and checks the documented field (its full path) against doc.
func (fc *fieldCheck) walk(v any, segs []string, at, field, doc string) {
	key, list := strings.CutSuffix(segs[0], "[]")
	obj, ok := v.(map[string]any)
	if !ok {
		fc.fail("%s: %s where the docs have an object", orData(at), jsonKind(v))
		return
	}
	path := joinPath(at, key)
	val, present := obj[key]
	last := len(segs) == 1 && !list
	switch {
	case !present && last:
		if !fc.exempt(path) {
			fc.fail("%s: missing (documented %s)", path, doc)
		}
		return
	case !present || val == nil && !last:
		if !fc.exempt(path) {
			fc.fail("%s: %s, so %s (documented %s) is missing", path, map[bool]string{true: "null", false: "missing"}[present], field, doc)
		}
		return
	case last:
		if !typeMatches(doc, val) {
			fc.fail("%s: %s, documented %s", path, jsonKind(val), doc)
		}
		return
	case !list:
		fc.walk(val, segs[1:], path, field, doc)
		return
	}
	items, ok := val.([]any)
	if !ok {
		fc.fail("%s: %s where the docs have a list", path, jsonKind(val))
		return
	}
	if len(items) == 0 {
		if !fc.exempt(path + "[]") {
			fc.fail("%s: empty, so the documented fields of its items are not checked", path)
		}
		return
	}
	for _, item := range items {
		fc.walk(item, segs[1:], path+"[]", field, doc)
	}
}

func orData(at string) string {
	if at == "" {
		return "data"
	}
	return at
}

// typeMatches reports whether v has the JSON type of the documented type
// doc (bk-job's names: long, int, string, bool, object, array, list<…>).
func typeMatches(doc string, v any) bool {
	base, nullable := strings.CutSuffix(doc, "?")
	if v == nil {
		return nullable
	}
	switch {
	case base == "long" || base == "int":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case base == "string":
		_, ok := v.(string)
		return ok
	case base == "bool" || base == "boolean":
		_, ok := v.(bool)
		return ok
	case base == "object":
		_, ok := v.(map[string]any)
		return ok
	case base == "array" || strings.HasPrefix(base, "list<"):
		items, ok := v.([]any)
		if !ok {
			return false
		}
		if base == "list<string>" {
			for _, it := range items {
				if _, ok := it.(string); !ok {
					return false
				}
			}
		}
		return true
	}
	return false
}

// jsonKind names v's JSON type for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case float64:
		return "number"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "list"
	}
	return fmt.Sprintf("%T", v)
}

// TestCheckFields: the comparison itself, on answers made up to differ
// from the docs in each way it must catch.
func TestCheckFields(t *testing.T) {
	fields := map[string]string{
		"id": "long", "name": "string", "end": "long?", "items": "array",
		"items[].ok": "bool", "info": "object?", "info.tags": "list<string>",
	}
	good := `{"id":1,"name":"a","end":null,"items":[{"ok":true}],"info":{"tags":["x"]}}`
	tests := []struct {
		name, data string
		omitted    map[string]string
		want       []string
	}{
		{"as documented", good, nil, nil},
		{"missing field", `{"name":"a","end":1,"items":[{"ok":true}],"info":{"tags":[]}}`, nil, []string{"id: missing (documented long)"}},
		{"wrong type", `{"id":"1","name":"a","end":1,"items":[{"ok":1}],"info":{"tags":[2]}}`, nil,
			[]string{"id: string, documented long", "info.tags: list, documented list<string>", "items[].ok: number, documented bool"}},
		{"not an integer", `{"id":1.5,"name":"a","end":1,"items":[{"ok":true}],"info":{"tags":[]}}`, nil, []string{"id: number, documented long"}},
		{"null where never null", `{"id":null,"name":"a","end":1,"items":[{"ok":true}],"info":{"tags":[]}}`, nil, []string{"id: null, documented long"}},
		{"empty list", `{"id":1,"name":"a","end":1,"items":[],"info":{"tags":[]}}`, nil,
			[]string{"items: empty, so the documented fields of its items are not checked"}},
		{"empty list omitted", `{"id":1,"name":"a","end":1,"items":[],"info":{"tags":[]}}`, map[string]string{"items[]": "why"}, nil},
		{"object omitted", `{"id":1,"name":"a","end":1,"items":[{"ok":true}]}`, map[string]string{"info": "why"}, nil},
		{"object missing", `{"id":1,"name":"a","end":1,"items":[{"ok":true}]}`, nil,
			[]string{"info: missing (documented object?)", "info: missing, so info.tags (documented list<string>) is missing"}},
		{"omitted but there", good, map[string]string{"end": "why"}, []string{"end is listed as omitted (why) but the answer has it: drop the exception"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var data any
			require.NoError(t, json.Unmarshal([]byte(tt.data), &data))
			got := checkFields(data, fields, tt.omitted)
			if tt.want == nil {
				require.Empty(t, got)
				return
			}
			require.Equal(t, tt.want, got)
		})
	}
}
