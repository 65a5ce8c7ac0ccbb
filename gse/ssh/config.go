package ssh

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/bkjob/bkjob/platform/config"
)

// Config tunes the SSH transport. Zero values take the defaults below.
type Config struct {
	// MaxConcurrent bounds the hosts worked on at once across all tasks;
	// further hosts queue (default 256).
	MaxConcurrent int
	// MaxSessionsPerConn bounds the exec sessions open at once on one
	// pooled connection (default 8; OpenSSH's MaxSessions defaults to 10 and
	// the pool also keeps one SFTP session and one control session).
	MaxSessionsPerConn int
	// DialTimeout bounds connecting and the SSH handshake (default 10s).
	DialTimeout time.Duration
	// IdleTimeout closes a pooled connection unused this long (default 5m).
	IdleTimeout time.Duration
	// KillGrace is the wait between SIGTERM and SIGKILL of a script's
	// process group on timeout or stop (default 3s).
	KillGrace time.Duration
	// MaxOutputBytes caps a host's output; the rest is dropped after a
	// marker line (default 5 MiB).
	MaxOutputBytes int64
	// FlushInterval coalesces output into chunks at most this old (default 100ms).
	FlushInterval time.Duration
	// ProgressInterval spaces file progress reports (default 1s).
	ProgressInterval time.Duration
	// TrustOnFirstUse records and accepts the key of a host with no known key.
	TrustOnFirstUse bool
	// RemoteTempDir is where scripts are staged on the host (default /tmp).
	RemoteTempDir string
	// SinkRetry is the first wait before redelivering events the sink
	// refused; it doubles up to 5s (default 200ms).
	SinkRetry time.Duration
}

const (
	defaultMaxConcurrent    = 256
	defaultSessionsPerConn  = 8
	defaultDialTimeout      = 10 * time.Second
	defaultIdleTimeout      = 5 * time.Minute
	defaultKillGrace        = 3 * time.Second
	defaultMaxOutputBytes   = 5 << 20
	defaultFlushInterval    = 100 * time.Millisecond
	defaultProgressInterval = time.Second
	defaultRemoteTempDir    = "/tmp"
	defaultSinkRetry        = 200 * time.Millisecond
	maxSinkRetry            = 5 * time.Second
)

func (c Config) withDefaults() Config {
	set := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	set(&c.MaxConcurrent, defaultMaxConcurrent)
	set(&c.MaxSessionsPerConn, defaultSessionsPerConn)
	setDur(&c.DialTimeout, defaultDialTimeout)
	setDur(&c.IdleTimeout, defaultIdleTimeout)
	setDur(&c.KillGrace, defaultKillGrace)
	setDur(&c.FlushInterval, defaultFlushInterval)
	setDur(&c.ProgressInterval, defaultProgressInterval)
	setDur(&c.SinkRetry, defaultSinkRetry)
	if c.MaxOutputBytes == 0 {
		c.MaxOutputBytes = defaultMaxOutputBytes
	}
	if c.RemoteTempDir == "" {
		c.RemoteTempDir = defaultRemoteTempDir
	}
	return c
}

// Validate reports the first bad value.
func (c Config) Validate() error {
	switch {
	case c.MaxConcurrent < 0:
		return fmt.Errorf("ssh max concurrent %d: must not be negative", c.MaxConcurrent)
	case c.MaxSessionsPerConn < 0:
		return fmt.Errorf("ssh max sessions per connection %d: must not be negative", c.MaxSessionsPerConn)
	case c.MaxOutputBytes < 0:
		return fmt.Errorf("ssh max output bytes %d: must not be negative", c.MaxOutputBytes)
	case c.RemoteTempDir != "" && c.RemoteTempDir[0] != '/':
		return fmt.Errorf("ssh remote temp dir %q: must be absolute", c.RemoteTempDir)
	}
	return nil
}

// ConfigFrom reads the transport's settings from bkjob's configuration
// (gse.ssh and gse.max_output_bytes).
func ConfigFrom(c *config.Config) Config {
	s := c.GSE.SSH
	return Config{
		MaxConcurrent:      s.MaxConcurrent,
		MaxSessionsPerConn: s.MaxSessionsPerConn,
		DialTimeout:        s.DialTimeout,
		IdleTimeout:        s.IdleTimeout,
		KillGrace:          s.KillGrace,
		MaxOutputBytes:     c.GSE.MaxOutputBytes,
		TrustOnFirstUse:    s.TrustOnFirstUse,
	}
}

// KnownHostsPath is gse.ssh.known_hosts_file, default <data_dir>/ssh_known_hosts.
func KnownHostsPath(c *config.Config) string {
	if c.GSE.SSH.KnownHostsFile != "" {
		return c.GSE.SSH.KnownHostsFile
	}
	return filepath.Join(c.DataDir, "ssh_known_hosts")
}
