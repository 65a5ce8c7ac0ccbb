package config

import (
	"reflect"
)

// Mask is what a secret looks like wherever it is shown.
const Mask = "******"

// Masked returns a copy of c with every secret:"true" field that is set
// replaced by Mask, for `bkjob config print` and logs.
func (c *Config) Masked() Config {
	out := *c
	maskValue(reflect.ValueOf(&out).Elem())
	return out
}

func maskValue(v reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := v.Field(i)
		if t.Field(i).Tag.Get("secret") == "true" {
			switch f.Kind() {
			case reflect.String:
				if f.String() != "" {
					f.SetString(Mask)
				}
			case reflect.Slice:
				masked := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
				for j := 0; j < f.Len(); j++ {
					masked.Index(j).SetString(Mask)
				}
				f.Set(masked)
			}
			continue
		}
		if f.Kind() == reflect.Struct && f.Type().PkgPath() == t.PkgPath() {
			maskValue(f)
		}
	}
}
