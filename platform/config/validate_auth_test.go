package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAuthLimitsDefaultsAndValidation(t *testing.T) {
	cfg, err := Load(Sources{})
	require.NoError(t, err)
	require.Equal(t, Auth{SessionTTL: 12 * time.Hour, MaxFailures: 10, IPMaxFailures: 30, FailureWindow: 5 * time.Minute,
		Lockout: 15 * time.Minute, MaxChecksPerMinute: 60, SecretCacheTTL: time.Minute}, cfg.Auth)

	tests := []struct {
		env     string
		wantKey string
	}{
		{"BKJOB_AUTH__MAX_FAILURES=0", "auth.max_failures"},
		{"BKJOB_AUTH__IP_MAX_FAILURES=0", "auth.ip_max_failures"},
		{"BKJOB_AUTH__FAILURE_WINDOW=0s", "auth.failure_window"},
		{"BKJOB_AUTH__LOCKOUT=-1m", "auth.lockout"},
		{"BKJOB_AUTH__MAX_CHECKS_PER_MINUTE=0", "auth.max_checks_per_minute"},
		{"BKJOB_AUTH__SECRET_CACHE_TTL=-1s", "auth.secret_cache_ttl"},
		{"BKJOB_AUTH__SECRET_CACHE_TTL=11m", "auth.secret_cache_ttl"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			_, err := Load(Sources{Env: []string{tt.env}})
			var ke *KeyError
			require.ErrorAs(t, err, &ke)
			require.Equal(t, tt.wantKey, ke.Key, err.Error())
		})
	}
	cfg, err = Load(Sources{Env: []string{"BKJOB_AUTH__SECRET_CACHE_TTL=0s"}})
	require.NoError(t, err, "0 turns the secret cache off")
	require.Zero(t, cfg.Auth.SecretCacheTTL)
}
