package config

import (
	"os"
	"reflect"
	"strings"
)

// SecretEnvNames lists the variables of env (KEY=VALUE pairs) that carry a
// secret setting: the bootstrap aliases of secret keys (BKJOB_ADMIN_PASSWORD,
// BKJOB_API_APP_SECRET, BKJOB_AGENT_TOKEN) and every BKJOB_SECTION__KEY whose
// key is tagged secret:"true" (db.dsn, gse.agent_tokens, …).
func SecretEnvNames(env []string) []string {
	secret := secretKeys(reflect.TypeOf(Config{}), "")
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		key, alias := envAliases[name]
		if !alias {
			key = strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(name, EnvPrefix), "__", "."))
		}
		if secret[key] {
			out = append(out, name)
		}
	}
	return out
}

// DropSecretEnv removes the secret-bearing variables from this process's
// environment once the configuration is loaded, so no child process
// inherits them. It cannot erase them from /proc/<pid>/environ, which
// shows the block the process started with: that is why the built-in agent
// is a separate process started with a clean environment.
func DropSecretEnv() []string {
	names := SecretEnvNames(os.Environ())
	for _, name := range names {
		_ = os.Unsetenv(name)
	}
	return names
}

// secretKeys lists the dotted keys of t's fields tagged secret:"true".
func secretKeys(t reflect.Type, prefix string) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("koanf")
		if tag == "" {
			continue
		}
		key := prefix + tag
		if f.Tag.Get("secret") == "true" {
			out[key] = true
			continue
		}
		if f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == t.PkgPath() {
			for k := range secretKeys(f.Type, key+".") {
				out[k] = true
			}
		}
	}
	return out
}
