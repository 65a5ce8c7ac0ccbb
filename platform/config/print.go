package config

import (
	"reflect"
	"time"
)

// Map returns c as nested maps keyed by configuration keys, with durations
// written the way they are configured ("15s"), for printing.
func (c Config) Map() map[string]any {
	return structMap(reflect.ValueOf(c))
}

func structMap(v reflect.Value) map[string]any {
	out := map[string]any{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		key := t.Field(i).Tag.Get("koanf")
		if key == "" {
			continue
		}
		f := v.Field(i)
		switch {
		case f.Type() == reflect.TypeOf(time.Duration(0)):
			out[key] = time.Duration(f.Int()).String()
		case f.Kind() == reflect.Struct:
			out[key] = structMap(f)
		case f.Kind() == reflect.Slice && f.Len() == 0:
			out[key] = []string{}
		default:
			out[key] = f.Interface()
		}
	}
	return out
}
