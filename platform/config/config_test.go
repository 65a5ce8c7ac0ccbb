package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bkjob.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestDefaultsNeedNothing(t *testing.T) {
	cfg, err := Load(Sources{})
	require.NoError(t, err)
	require.Equal(t, "all", cfg.Roles)
	require.Equal(t, "./data", cfg.DataDir)
	require.Equal(t, "127.0.0.1:8080", cfg.HTTP.Addr)
	require.Equal(t, "sqlite", cfg.DB.Driver)
	require.Equal(t, "memory", cfg.Bus.Backend)
	require.Equal(t, 15*time.Second, cfg.ShutdownTimeout)
}

func TestPrecedenceFileEnvFlag(t *testing.T) {
	f1 := writeFile(t, "http:\n  addr: 127.0.0.1:1000\nlog:\n  level: debug\n")
	f2 := writeFile(t, "http:\n  addr: 127.0.0.1:2000\n")
	cfg, err := Load(Sources{
		Files: []string{f1, f2},
		Env:   []string{"BKJOB_LOG__FORMAT=json", "BKJOB_BUS__CALL_TIMEOUT=5s", "BKJOB_TEST_MYSQL_DSN=ignored", "HOME=/root", "BKJOB_GSE__AGENT_TOKENS=a, b"},
		Flags: map[string]any{"data_dir": "/tmp/x"},
	})
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:2000", cfg.HTTP.Addr, "later file wins")
	require.Equal(t, "debug", cfg.Log.Level, "earlier file still applies")
	require.Equal(t, "json", cfg.Log.Format, "env applies")
	require.Equal(t, 5*time.Second, cfg.Bus.CallTimeout)
	require.Equal(t, []string{"a", "b"}, cfg.GSE.AgentTokens)
	require.Equal(t, "/tmp/x", cfg.DataDir, "flag wins")

	cfg, err = Load(Sources{Files: []string{f1}, Env: []string{"BKJOB_HTTP__ADDR=127.0.0.1:3000"}, Flags: map[string]any{"http.addr": "127.0.0.1:4000"}})
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:4000", cfg.HTTP.Addr, "flag beats env beats file")
}

func TestBootstrapEnvAliases(t *testing.T) {
	cfg, err := Load(Sources{Env: []string{"BKJOB_ADMIN_PASSWORD=pw", "BKJOB_API_APP_CODE=app", "BKJOB_API_APP_SECRET=s", "BKJOB_AGENT_TOKEN=t"}})
	require.NoError(t, err)
	require.Equal(t, "pw", cfg.Auth.BootstrapAdminPassword)
	require.Equal(t, "app", cfg.API.BootstrapAppCode)
	require.Equal(t, "s", cfg.API.BootstrapAppSecret)
	require.Equal(t, "t", cfg.GSE.BootstrapToken)
}

func TestErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name    string
		src     Sources
		wantKey string
	}{
		{"unknown file key", Sources{Files: []string{writeFile(t, "http:\n  adr: x\n")}}, "http.adr"},
		{"unknown env key", Sources{Env: []string{"BKJOB_HTTP__PORT=1"}}, "BKJOB_HTTP__PORT"},
		{"bad enum", Sources{Env: []string{"BKJOB_DB__DRIVER=oracle"}}, "db.driver"},
		{"mysql without dsn", Sources{Env: []string{"BKJOB_DB__DRIVER=mysql"}}, "db.dsn"},
		{"redis without url", Sources{Env: []string{"BKJOB_CACHE__BACKEND=redis"}}, "cache.redis_url"},
		{"bad duration", Sources{Env: []string{"BKJOB_BUS__CALL_TIMEOUT=soon"}}, "bus.call_timeout"},
		{"bad addr", Sources{Flags: map[string]any{"http.addr": "nope"}}, "http.addr"},
		{"bad level", Sources{Flags: map[string]any{"log.level": "loud"}}, "log.level"},
		{"negative int", Sources{Env: []string{"BKJOB_BUS__PREFETCH=0"}}, "bus.prefetch"},
		{"zero ssh grace", Sources{Env: []string{"BKJOB_GSE__SSH__KILL_GRACE=0s"}}, "gse.ssh.kill_grace"},
		{"empty mongo db", Sources{Env: []string{"BKJOB_LOGSVR__MONGO_DATABASE="}}, "logsvr.mongo_database"},
		{"callback allowlist path", Sources{Env: []string{"BKJOB_API__CALLBACK_ALLOWLIST=http://hooks.example.com/cb"}}, "api.callback_allowlist"},
		{"callback allowlist userinfo", Sources{Files: []string{writeFile(t, "api:\n  callback_allowlist: [\"http://a@hooks.example.com\"]\n")}}, "api.callback_allowlist"},
		{"callback allowlist no scheme", Sources{Env: []string{"BKJOB_API__CALLBACK_ALLOWLIST=hooks.example.com"}}, "api.callback_allowlist"},
		{"zero callback timeout", Sources{Env: []string{"BKJOB_API__CALLBACK_TIMEOUT=0s"}}, "api.callback_timeout"},
		{"zero callback retry", Sources{Env: []string{"BKJOB_API__CALLBACK_RETRY_FOR=0s"}}, "api.callback_retry_for"},
		{"callback backoff above max", Sources{Env: []string{"BKJOB_API__CALLBACK_BACKOFF=10m"}}, "api.callback_backoff_max"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.src)
			var ke *KeyError
			require.ErrorAs(t, err, &ke)
			require.Equal(t, tt.wantKey, ke.Key, err.Error())
		})
	}
}

func TestMaskedHidesEverySecret(t *testing.T) {
	cfg, err := Load(Sources{Env: []string{
		"BKJOB_DB__DRIVER=mysql", "BKJOB_DB__DSN=u:topsecret@tcp(h:3306)/db",
		"BKJOB_CRYPTO__KEY=key", "BKJOB_GSE__AGENT_TOKENS=t1,t2", "BKJOB_ADMIN_PASSWORD=pw",
	}})
	require.NoError(t, err)
	m := cfg.Masked()
	require.Equal(t, Mask, m.DB.DSN)
	require.Equal(t, Mask, m.Crypto.Key)
	require.Equal(t, []string{Mask, Mask}, m.GSE.AgentTokens)
	require.Equal(t, Mask, m.Auth.BootstrapAdminPassword)
	require.Equal(t, "", m.Cache.RedisURL, "unset secrets stay empty")
	require.Equal(t, "u:topsecret@tcp(h:3306)/db", cfg.DB.DSN, "the original is untouched")
	require.Equal(t, "15s", m.Map()["shutdown_timeout"])
}
