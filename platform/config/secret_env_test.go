package config

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSecretEnvNames(t *testing.T) {
	env := []string{
		"BKJOB_ADMIN_PASSWORD=a", "BKJOB_API_APP_SECRET=b", "BKJOB_AGENT_TOKEN=c",
		"BKJOB_GSE__AGENT_TOKENS=d", "BKJOB_DB__DSN=e", "BKJOB_CRYPTO__KEY=f", "BKJOB_GSE__GSE2__APP_SECRET=g",
		"BKJOB_API_APP_CODE=not-secret", "BKJOB_DB__DRIVER=mysql", "BKJOB_DATA_DIR=/d", "PATH=/bin", "BKJOB_TEST_X=1",
	}
	require.ElementsMatch(t, []string{
		"BKJOB_ADMIN_PASSWORD", "BKJOB_API_APP_SECRET", "BKJOB_AGENT_TOKEN",
		"BKJOB_GSE__AGENT_TOKENS", "BKJOB_DB__DSN", "BKJOB_CRYPTO__KEY", "BKJOB_GSE__GSE2__APP_SECRET",
	}, SecretEnvNames(env))
}

func TestDropSecretEnvAfterLoad(t *testing.T) {
	t.Setenv("BKJOB_API_APP_SECRET", "s3cr3t")
	t.Setenv("BKJOB_GSE__AGENT_TOKENS", "tok-1")
	t.Setenv("BKJOB_DB__DRIVER", "sqlite")
	cfg, err := Load(Sources{Env: os.Environ()})
	require.NoError(t, err)
	require.Equal(t, "s3cr3t", cfg.API.BootstrapAppSecret)
	require.ElementsMatch(t, []string{"BKJOB_API_APP_SECRET", "BKJOB_GSE__AGENT_TOKENS"}, DropSecretEnv())
	_, ok := os.LookupEnv("BKJOB_API_APP_SECRET")
	require.False(t, ok)
	_, ok = os.LookupEnv("BKJOB_GSE__AGENT_TOKENS")
	require.False(t, ok)
	require.Equal(t, "sqlite", os.Getenv("BKJOB_DB__DRIVER"), "settings that are not secret stay")
	require.Equal(t, []string{"tok-1"}, cfg.GSE.AgentTokens, "the loaded configuration keeps the values")
}

func TestLocalAgentDefaultFollowsRoles(t *testing.T) {
	tests := []struct {
		name  string
		env   []string
		flags map[string]any
		want  bool
	}{
		{name: "all by default", want: true},
		{name: "all by flag", flags: map[string]any{"roles": "all"}, want: true},
		{name: "split roles", flags: map[string]any{"roles": "execute,logsvr,gse"}, want: false},
		{name: "roles from env", env: []string{"BKJOB_ROLES=gse"}, want: false},
		{name: "split roles, enabled explicitly", env: []string{"BKJOB_GSE__LOCAL_AGENT__ENABLED=true"},
			flags: map[string]any{"roles": "gse"}, want: true},
		{name: "all, disabled explicitly", env: []string{"BKJOB_GSE__LOCAL_AGENT__ENABLED=false"}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(Sources{Env: tt.env, Flags: tt.flags})
			require.NoError(t, err)
			require.Equal(t, tt.want, cfg.GSE.LocalAgent.Enabled)
		})
	}
}
