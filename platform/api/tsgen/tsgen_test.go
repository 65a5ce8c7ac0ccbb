package tsgen

import (
	"reflect"
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
	got := TypeScript([]api.Method{
		{Go: "DoThing", Web: "do_thing", Request: reflect.TypeFor[request](), Response: reflect.TypeFor[page[inner]]()},
		{Go: "Internal", Request: reflect.TypeFor[inner](), Response: reflect.TypeFor[inner]()}, // not on the web
	})
	for _, want := range []string{
		"export interface request {\n  bk_scope_type?: string\n  bk_scope_id?: string\n  bk_biz_id?: number\n  name: string\n  when: string\n  raw?: string\n  tags?: Record<string, string>\n  inner?: inner\n}",
		"export interface pageOfinner {\n  data: Array<inner> | null\n}",
		"export interface inner {\n  n: number\n}",
		"doThing: (req: request): Promise<pageOfinner> => call<pageOfinner>('do_thing', req),",
	} {
		require.Contains(t, got, want)
	}
	require.NotContains(t, got, "scope_resolved", "the door fills it")
	require.NotContains(t, got, "who", "web:\"-\" fields are the server's")
	require.NotContains(t, got, "internal", "a method not on the web has no function")
}
