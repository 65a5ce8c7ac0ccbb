package tsgen

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/api"
)

type inner struct {
	N int `json:"n"`
}

type page[T any] struct {
	Data []T `json:"data"`
}

type request struct {
	api.ScopeRef
	Who     string            `json:"who,omitempty" web:"-"`
	Name    string            `json:"name"`
	When    time.Time         `json:"when"`
	Raw     []byte            `json:"raw,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
	Inner   *inner            `json:"inner"`
	Skipped string            `json:"-"`
}

func TestTypeScript(t *testing.T) {
	files := TypeScript([]api.Method{
		{Bus: "m.DoThing", Go: "DoThing", Group: "Things", Web: "do_thing", Request: reflect.TypeFor[request](), Response: reflect.TypeFor[page[inner]]()},
		{Bus: "m.Internal", Go: "Internal", Group: "Things", Request: reflect.TypeFor[inner](), Response: reflect.TypeFor[inner]()}, // not on the web
		{Bus: "m.GetInner", Go: "GetInner", Group: "OtherThings", Web: "get_inner", Request: reflect.TypeFor[inner](), Response: reflect.TypeFor[inner]()},
	})
	require.ElementsMatch(t, []string{"m_things.ts", "index.ts"}, mapKeys(files), "inner is Things' (declared first): OtherThings has no type of its own")
	things := files["m_things.ts"]
	for _, want := range []string{
		"export interface request {\n  bk_scope_type?: string\n  bk_scope_id?: string\n  bk_biz_id?: number\n  name: string\n  when: string\n  raw?: string\n  tags?: Record<string, string>\n  inner?: inner\n}",
		"export interface pageOfinner {\n  data: Array<inner> | null\n}",
		"export interface inner {\n  n: number\n}",
	} {
		require.Contains(t, things, want)
	}
	index := files["index.ts"]
	require.Contains(t, index, "import type { inner, pageOfinner, request } from './m_things'\n")
	require.Contains(t, index, "export type * from './m_things'\n")
	require.Contains(t, index, "doThing: (req: request): Promise<pageOfinner> => call<pageOfinner>('do_thing', req),")
	require.Contains(t, index, "getInner: (req: inner): Promise<inner> => call<inner>('get_inner', req),")
	for _, text := range files {
		require.True(t, strings.HasPrefix(text, Header))
		require.NotContains(t, text, "scope_resolved", "the door fills it")
		require.NotContains(t, text, "who", "web:\"-\" fields are the server's")
		require.NotContains(t, text, "internal", "a method not on the web has no function")
	}
}

// TestTypeScriptImports: a file naming another file's type imports it.
func TestTypeScriptImports(t *testing.T) {
	files := TypeScript([]api.Method{
		{Bus: "m.A", Go: "A", Group: "First", Web: "a", Request: reflect.TypeFor[inner](), Response: reflect.TypeFor[inner]()},
		{Bus: "m.B", Go: "B", Group: "Second", Web: "b", Request: reflect.TypeFor[inner](), Response: reflect.TypeFor[page[inner]]()},
	})
	require.Contains(t, files["m_second.ts"], "import type { inner } from './m_first'\n")
	require.Contains(t, files["m_second.ts"], "export interface pageOfinner {")
}

func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
