package gse2

import (
	"fmt"
	"net/url"
	"time"

	"github.com/bkjob/bkjob/platform/config"
)

// Config points the adapter at the BK API gateway's GSE endpoint.
type Config struct {
	URL       string // gateway base URL, e.g. https://bkapi.example.com/api/bk-gse/prod
	AppCode   string
	AppSecret string
	TenantID  string // X-Bk-Tenant-Id; default "default"
	// HTTPTimeout bounds one call (default 60s, as bk-job).
	HTTPTimeout time.Duration
	// Retries of idempotent calls (queries) after a network error or a
	// 5xx answer (default 2).
	Retries int
	// ScriptRoot is where GSE stores scripts: <ScriptRoot>/<account>
	// (default /tmp/bkjob, as bk-job).
	ScriptRoot string
	// LogLimit is the most log bytes asked per agent per poll (default 5 MiB).
	LogLimit int64
	// ScriptCadence and FileCadence give the polling interval after a task
	// has run for the given time (default bk-job's, ScriptCadence and FileCadence).
	ScriptCadence func(elapsed time.Duration) time.Duration
	FileCadence   func(elapsed time.Duration) time.Duration
	// TimeoutGrace: a host still unfinished this long after its task's own
	// timeout is failed as TASK_TIMEOUT (default 300s, as bk-job).
	TimeoutGrace time.Duration
	// NoResultTimeout: hosts are failed as GSE_TASK_ERROR when GSE returns
	// nothing for them this long (default 60s, as bk-job).
	NoResultTimeout time.Duration
	// BlobAgent is the GSE agent id of a host that sees the blob store at
	// the paths blob.Store.Path returns; files from the blob store are sent
	// from it. Empty: blob sources are refused.
	BlobAgent     string
	BlobAgentUser string // default root
	// SinkRetry is the first wait before redelivering refused events (default 200ms).
	SinkRetry time.Duration
}

func (c Config) withDefaults() Config {
	if c.TenantID == "" {
		c.TenantID = defaultTenant
	}
	if c.HTTPTimeout == 0 {
		c.HTTPTimeout = 60 * time.Second
	}
	if c.Retries == 0 {
		c.Retries = 2
	}
	if c.ScriptRoot == "" {
		c.ScriptRoot = "/tmp/bkjob"
	}
	if c.LogLimit == 0 {
		c.LogLimit = 5 << 20
	}
	if c.ScriptCadence == nil {
		c.ScriptCadence = ScriptCadence
	}
	if c.FileCadence == nil {
		c.FileCadence = FileCadence
	}
	if c.TimeoutGrace == 0 {
		c.TimeoutGrace = 300 * time.Second
	}
	if c.NoResultTimeout == 0 {
		c.NoResultTimeout = 60 * time.Second
	}
	if c.BlobAgentUser == "" {
		c.BlobAgentUser = "root"
	}
	if c.SinkRetry == 0 {
		c.SinkRetry = 200 * time.Millisecond
	}
	return c
}

// Validate reports the first bad value.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		return fmt.Errorf("gse2 url: required")
	case err != nil:
		return fmt.Errorf("gse2 url %q: %w", c.URL, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("gse2 url %q: scheme must be http or https", c.URL)
	case c.AppCode == "" || c.AppSecret == "":
		return fmt.Errorf("gse2 app code and app secret: required")
	case c.LogLimit < 0:
		return fmt.Errorf("gse2 log limit %d: must not be negative", c.LogLimit)
	}
	return nil
}

// ConfigFrom reads the adapter's settings from bkjob's configuration (gse.gse2).
func ConfigFrom(c *config.Config) Config {
	g := c.GSE.GSE2
	return Config{URL: g.URL, AppCode: g.AppCode, AppSecret: g.AppSecret, BlobAgent: g.BlobAgent}
}
