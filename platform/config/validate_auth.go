package config

import (
	"fmt"
	"time"
)

// maxSecretCacheTTL bounds auth.secret_cache_ttl: a disabled app or a
// changed secret keeps working at most this long on a gateway.
const maxSecretCacheTTL = 10 * time.Minute

// validateAuth checks the login and API-secret limits.
func (c *Config) validateAuth() error {
	a := c.Auth
	checks := []func() error{
		func() error { return atLeast("auth.max_failures", a.MaxFailures, 1) },
		func() error { return atLeast("auth.ip_max_failures", a.IPMaxFailures, 1) },
		func() error { return positive("auth.failure_window", a.FailureWindow) },
		func() error { return positive("auth.lockout", a.Lockout) },
		func() error { return atLeast("auth.max_checks_per_minute", a.MaxChecksPerMinute, 1) },
		func() error {
			if a.SecretCacheTTL < 0 || a.SecretCacheTTL > maxSecretCacheTTL {
				return &KeyError{Key: "auth.secret_cache_ttl", Reason: fmt.Sprintf("must be 0s..%s, got %s", maxSecretCacheTTL, a.SecretCacheTTL)}
			}
			return nil
		},
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}
