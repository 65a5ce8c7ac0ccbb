package apitest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/bus"
	"github.com/bkjob/bkjob/platform/errs"
)

// Call is one call of a declared method: its arguments after the context.
type Call struct {
	Method string // the contract method's Go name
	Args   []any
}

// Contract calls every declared method on local (the implementation) and on
// remote (the bus client of a bus where local is served): with zero
// arguments, then with each of calls. Both must give the same answer: the
// same error code and field, or results equal once encoded as JSON.
// Methods that change state get the same call twice, so each call in calls
// must be one that gives the same answer when repeated (a validation
// failure, a read).
func Contract(t *testing.T, decls []api.Method, local, remote any, calls ...Call) {
	t.Helper()
	require.NotEmpty(t, decls, "no declarations")
	for _, d := range decls {
		t.Run(d.Go, func(t *testing.T) {
			compare(t, d, local, remote, zeroArgs(t, local, d.Go))
			for _, c := range calls {
				if c.Method == d.Go {
					compare(t, d, local, remote, c.Args)
				}
			}
		})
	}
	for _, c := range calls {
		found := false
		for _, d := range decls {
			found = found || d.Go == c.Method
		}
		require.True(t, found, "call of %s, which is not declared", c.Method)
	}
}

func zeroArgs(t *testing.T, impl any, name string) []any {
	m := reflect.ValueOf(impl).MethodByName(name)
	require.True(t, m.IsValid(), "the implementation has no method %s", name)
	var args []any
	for i := 1; i < m.Type().NumIn(); i++ {
		args = append(args, reflect.Zero(m.Type().In(i)).Interface())
	}
	return args
}

func compare(t *testing.T, d api.Method, local, remote any, args []any) {
	t.Helper()
	lres, lerr := invoke(t, local, d.Go, args)
	rres, rerr := invoke(t, remote, d.Go, args)
	require.False(t, errors.Is(rerr, bus.ErrNoHandler), "%s is declared but not served on the bus", d.Bus)
	if lerr != nil {
		require.Error(t, rerr, "%s failed in process (%v) but not over the bus", d.Go, lerr)
		le, re := errs.From(lerr), errs.From(rerr)
		require.Equal(t, le.Code, re.Code, "%s: error code over the bus (in process: %v; bus: %v)", d.Go, lerr, rerr)
		require.Equal(t, le.Field, re.Field, "%s: error field over the bus", d.Go)
		return
	}
	require.NoError(t, rerr, "%s succeeded in process but not over the bus", d.Go)
	lj, err := json.Marshal(lres)
	require.NoError(t, err)
	rj, err := json.Marshal(rres)
	require.NoError(t, err)
	require.JSONEq(t, string(lj), string(rj), "%s: answer over the bus", d.Go)
}

// invoke calls impl's method name with a fresh context and args; it
// returns the method's result (nil for an error-only method) and error.
func invoke(t *testing.T, impl any, name string, args []any) (any, error) {
	m := reflect.ValueOf(impl).MethodByName(name)
	require.True(t, m.IsValid(), "%T has no method %s", impl, name)
	in := []reflect.Value{reflect.ValueOf(context.Background())}
	for i, a := range args {
		v := reflect.ValueOf(a)
		if a == nil {
			v = reflect.Zero(m.Type().In(i + 1))
		}
		in = append(in, v)
	}
	out := m.Call(in)
	errV := out[len(out)-1]
	var err error
	if !errV.IsNil() {
		var ok bool
		err, ok = errV.Interface().(error)
		require.True(t, ok, "%s: last result %T is not an error", name, errV.Interface())
	}
	if len(out) == 1 {
		return nil, err
	}
	return out[0].Interface(), err
}
