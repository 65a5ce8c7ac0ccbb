package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/bkjob/bkjob/platform/egress"
)

// Validate checks every section and returns the first error, naming its key.
func (c *Config) Validate() error {
	checks := []func() error{
		func() error { return nonEmpty("data_dir", c.DataDir) },
		func() error { return positive("shutdown_timeout", c.ShutdownTimeout) },
		func() error { return hostPort("http.addr", c.HTTP.Addr) },
		c.validateHTTP,
		func() error { return oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error") },
		func() error { return oneOf("log.format", c.Log.Format, "text", "json") },
		c.validateDB,
		func() error {
			return backendURL("cache", c.Cache.Backend, c.Cache.RedisURL, "redis_url", "memory", "redis")
		},
		func() error { return atLeast("cache.max_entries", c.Cache.MaxEntries, 1) },
		func() error {
			return backendURL("lock", c.Lock.Backend, c.Lock.RedisURL, "redis_url", "memory", "redis")
		},
		func() error { return backendURL("bus", c.Bus.Backend, c.Bus.AMQPURL, "amqp_url", "memory", "rabbitmq") },
		func() error { return positive("bus.call_timeout", c.Bus.CallTimeout) },
		func() error { return atLeast("bus.prefetch", c.Bus.Prefetch, 1) },
		func() error { return nonEmpty("bus.exchange_prefix", c.Bus.ExchangePrefix) },
		func() error {
			return backendURL("logsvr", c.Logsvr.Backend, c.Logsvr.MongoURI, "mongo_uri", "embedded", "mongodb")
		},
		func() error { return atLeast("logsvr.max_host_bytes", int(c.Logsvr.MaxHostBytes), 1024) },
		func() error { return atLeast("logsvr.retention_days", c.Logsvr.RetentionDays, 1) },
		func() error { return oneOf("gse.transport", c.GSE.Transport, "builtin", "gse2") },
		func() error { return positive("gse.heartbeat_interval", c.GSE.HeartbeatInterval) },
		func() error { return atLeast("gse.offline_after_missed", c.GSE.OfflineAfterMissed, 1) },
		func() error { return atLeast("gse.max_tasks_per_agent", c.GSE.MaxTasksPerAgent, 1) },
		func() error { return atLeast("gse.max_output_bytes", int(c.GSE.MaxOutputBytes), 1024) },
		func() error { return positive("gse.lost_check_interval", c.GSE.LostCheckInterval) },
		func() error { return atLeast("gse.sink_max_attempts", c.GSE.SinkMaxAttempts, 1) },
		c.validateGSE2,
		func() error { return atLeast("gse.ssh.max_concurrent", c.GSE.SSH.MaxConcurrent, 1) },
		func() error { return atLeast("gse.ssh.max_sessions_per_conn", c.GSE.SSH.MaxSessionsPerConn, 1) },
		func() error { return positive("gse.ssh.dial_timeout", c.GSE.SSH.DialTimeout) },
		func() error { return positive("gse.ssh.idle_timeout", c.GSE.SSH.IdleTimeout) },
		func() error { return positive("gse.ssh.kill_grace", c.GSE.SSH.KillGrace) },
		func() error { return nonEmpty("logsvr.mongo_database", c.Logsvr.MongoDatabase) },
		func() error { return positive("auth.session_ttl", c.Auth.SessionTTL) },
		c.validateAuth,
		c.validateCallbacks,
		c.validateGatewayJWT,
		c.validateExecute,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) validateDB() error {
	if err := oneOf("db.driver", c.DB.Driver, "sqlite", "mysql"); err != nil {
		return err
	}
	if c.DB.Driver == "mysql" && c.DB.DSN == "" {
		return &KeyError{Key: "db.dsn", Reason: "required when db.driver is mysql"}
	}
	return atLeast("db.max_open_conns", c.DB.MaxOpenConns, 1)
}

// validateGSE2 checks what gse.transport gse2 needs. The built-in agent is
// refused beside it: with gse2 the gse role runs no agent hub, so the agent
// would have nothing to connect to (gse.local_agent.enabled defaults to
// false then; only an explicit true reaches this check).
func (c *Config) validateGSE2() error {
	if c.GSE.Transport != "gse2" {
		return nil
	}
	g := c.GSE.GSE2
	u, err := url.Parse(g.URL)
	switch {
	case g.URL == "":
		return &KeyError{Key: "gse.gse2.url", Reason: "required when gse.transport is gse2"}
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return &KeyError{Key: "gse.gse2.url", Reason: fmt.Sprintf("must be an http or https URL (the BK API gateway's GSE endpoint), got %q", g.URL)}
	case g.AppCode == "":
		return &KeyError{Key: "gse.gse2.app_code", Reason: "required when gse.transport is gse2"}
	case g.AppSecret == "":
		return &KeyError{Key: "gse.gse2.app_secret", Reason: "required when gse.transport is gse2"}
	case c.GSE.LocalAgent.Enabled:
		return &KeyError{Key: "gse.local_agent.enabled", Reason: "must be false when gse.transport is gse2: " +
			"the built-in agent needs the built-in hub, which does not run with gse2 (install a GSE agent on this host instead)"}
	}
	return nil
}

func (c *Config) validateCallbacks() error {
	if _, err := egress.ParseAllowlist(c.API.CallbackAllowlist); err != nil {
		return &KeyError{Key: "api.callback_allowlist", Reason: err.Error()}
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"api.callback_timeout", c.API.CallbackTimeout},
		{"api.callback_retry_for", c.API.CallbackRetryFor},
		{"api.callback_backoff", c.API.CallbackBackoff},
		{"api.callback_backoff_max", c.API.CallbackBackoffMax},
	} {
		if err := positive(d.key, d.v); err != nil {
			return err
		}
	}
	if c.API.CallbackBackoffMax < c.API.CallbackBackoff {
		return &KeyError{Key: "api.callback_backoff_max", Reason: fmt.Sprintf("must be at least api.callback_backoff (%s), got %s",
			c.API.CallbackBackoff, c.API.CallbackBackoffMax)}
	}
	return nil
}

func nonEmpty(key, v string) error {
	if strings.TrimSpace(v) == "" {
		return &KeyError{Key: key, Reason: "must not be empty"}
	}
	return nil
}

func positive(key string, d time.Duration) error {
	if d <= 0 {
		return &KeyError{Key: key, Reason: fmt.Sprintf("must be a positive duration, got %s", d)}
	}
	return nil
}

func atLeast(key string, v, least int) error {
	if v < least {
		return &KeyError{Key: key, Reason: fmt.Sprintf("must be at least %d, got %d", least, v)}
	}
	return nil
}

func oneOf(key, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return &KeyError{Key: key, Reason: fmt.Sprintf("must be one of %s, got %q", strings.Join(allowed, ", "), v)}
}

func hostPort(key, v string) error {
	if _, _, err := net.SplitHostPort(v); err != nil {
		return &KeyError{Key: key, Reason: fmt.Sprintf("must be host:port, got %q", v)}
	}
	return nil
}

// backendURL checks a "memory or real server" section: the backend name is
// known (embedded or remote) and the remote one has its URL.
func backendURL(section, backend, url, urlKey, embedded, remote string) error {
	if err := oneOf(section+".backend", backend, embedded, remote); err != nil {
		return err
	}
	if backend == remote && url == "" {
		return &KeyError{Key: section + "." + urlKey, Reason: fmt.Sprintf("required when %s.backend is %s", section, remote)}
	}
	return nil
}
