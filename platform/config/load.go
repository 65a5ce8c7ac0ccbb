package config

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/rawbytes"
	"github.com/knadh/koanf/v2"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// EnvPrefix starts every environment variable bkjob reads.
const EnvPrefix = "BKJOB_"

// localAgentKey defaults to true only when roles is "all".
const localAgentKey = "gse.local_agent.enabled"

// envAliases are bootstrap variables whose names predate the SECTION__KEY form.
var envAliases = map[string]string{ //nolint:gosec // G101: variable names, no secret values
	"BKJOB_AGENT_TOKEN":      "gse.bootstrap_token",
	"BKJOB_API_APP_CODE":     "api.bootstrap_app_code",
	"BKJOB_API_APP_SECRET":   "api.bootstrap_app_secret",
	"BKJOB_ADMIN_PASSWORD":   "auth.bootstrap_admin_password",
	"BKJOB_DATA_DIR":         "data_dir",
	"BKJOB_ROLES":            "roles",
	"BKJOB_SHUTDOWN_TIMEOUT": "shutdown_timeout",
}

// Sources lists where configuration comes from, lowest precedence first
// after the embedded defaults.
type Sources struct {
	Files []string       // --config files, applied in order
	Env   []string       // KEY=VALUE pairs, normally os.Environ()
	Flags map[string]any // only flags the user set, keyed by config key
}

// Load builds the effective configuration and validates it. Errors name the
// key that is wrong.
func Load(src Sources) (*Config, error) {
	k := koanf.New(".")
	if err := k.Load(rawbytes.Provider(defaultsYAML), yaml.Parser()); err != nil {
		return nil, fmt.Errorf("load embedded defaults: %w", err)
	}
	known := map[string]bool{}
	for _, key := range k.Keys() {
		known[key] = true
	}
	explicit := map[string]bool{} // keys some layer above the defaults set
	for _, f := range src.Files {
		fk := koanf.New(".")
		if err := fk.Load(file.Provider(f), yaml.Parser()); err != nil {
			return nil, fmt.Errorf("load config file %s: %w", f, err)
		}
		if err := checkKnown(fk.Keys(), known, "config file "+f); err != nil {
			return nil, err
		}
		for _, key := range fk.Keys() {
			explicit[key] = true
		}
		if err := k.Merge(fk); err != nil {
			return nil, fmt.Errorf("merge config file %s: %w", f, err)
		}
	}
	envMap, err := envValues(src.Env, known)
	if err != nil {
		return nil, err
	}
	if err := k.Load(confmap.Provider(envMap, "."), nil); err != nil {
		return nil, fmt.Errorf("load environment: %w", err)
	}
	for key := range envMap {
		explicit[key] = true
	}
	if len(src.Flags) > 0 {
		flagKeys := make([]string, 0, len(src.Flags))
		for key := range src.Flags {
			flagKeys = append(flagKeys, key)
		}
		if err := checkKnown(flagKeys, known, "flags"); err != nil {
			return nil, err
		}
		if err := k.Load(confmap.Provider(src.Flags, "."), nil); err != nil {
			return nil, fmt.Errorf("load flags: %w", err)
		}
		for key := range src.Flags {
			explicit[key] = true
		}
	}
	if !explicit[localAgentKey] {
		// The built-in agent runs job scripts on the server's own host: on by
		// default only for the one-process install.
		// Not with gse2: the built-in agent needs the built-in hub.
		if err := k.Set(localAgentKey, strings.TrimSpace(k.String("roles")) == "all" && k.String("gse.transport") != "gse2"); err != nil {
			return nil, fmt.Errorf("default %s: %w", localAgentKey, err)
		}
	}
	var cfg Config
	if err := k.UnmarshalWithConf("", &cfg, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		return nil, &KeyError{Key: keyFromDecodeError(err), Reason: err.Error()}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// envValues maps BKJOB_SECTION__KEY variables to config keys. Variables for
// tests (BKJOB_TEST_*) are not configuration and are skipped.
func envValues(env []string, known map[string]bool) (map[string]any, error) {
	out := map[string]any{}
	for _, kv := range env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) || strings.HasPrefix(name, EnvPrefix+"TEST_") {
			continue
		}
		key, alias := envAliases[name]
		if !alias {
			if !strings.Contains(name, "__") {
				continue // not a SECTION__KEY variable; other tools may use the prefix too
			}
			key = strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(name, EnvPrefix), "__", "."))
		}
		if !known[key] {
			return nil, &KeyError{Key: name, Reason: fmt.Sprintf("no configuration key %q", key)}
		}
		if isListKey(key) {
			out[key] = splitList(value)
			continue
		}
		out[key] = value
	}
	return out, nil
}

func isListKey(key string) bool {
	return key == "gse.agent_tokens" || key == "api.callback_allowlist" || key == "http.trusted_proxies"
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func checkKnown(keys []string, known map[string]bool, where string) error {
	sort.Strings(keys)
	for _, key := range keys {
		if !known[key] {
			return &KeyError{Key: key, Reason: "unknown configuration key in " + where}
		}
	}
	return nil
}

// keyFromDecodeError pulls the offending key out of a mapstructure error
// ("'http.addr' expected type ..."), so the message still names it.
func keyFromDecodeError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "'"); i >= 0 {
		if j := strings.Index(msg[i+1:], "'"); j > 0 {
			return msg[i+1 : i+1+j]
		}
	}
	return "config"
}

// KeyError is a configuration error naming the key at fault.
type KeyError struct {
	Key    string
	Reason string
}

func (e *KeyError) Error() string { return fmt.Sprintf("config %s: %s", e.Key, e.Reason) }

// Path resolves p against the data dir when it is relative and not empty.
func (c *Config) Path(p, fallback string) string {
	if p == "" {
		p = fallback
	}
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.DataDir, p)
}

// EnsureDataDir creates the data dir readable by its owner only (0700,
// whatever the umask), and restricts one that already exists.
func (c *Config) EnsureDataDir() error {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir %s: %w", c.DataDir, err)
	}
	if err := os.Chmod(c.DataDir, 0o700); err != nil { //nolint:gosec // G302: a directory needs x to be entered; 0700 is owner only
		return fmt.Errorf("restrict data dir %s: %w", c.DataDir, err)
	}
	return nil
}
