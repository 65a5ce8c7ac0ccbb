// Package config loads bkjob's layered configuration: embedded defaults, then
// --config files in order, then BKJOB_SECTION__KEY environment variables, then
// flags the user set; the result is validated section by section.
package config

import (
	"time"
)

// Config is the whole effective configuration. Fields tagged secret:"true"
// are masked by Masked().
type Config struct {
	Roles           string        `koanf:"roles"`
	DataDir         string        `koanf:"data_dir"`
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
	HTTP            HTTP          `koanf:"http"`
	Log             Log           `koanf:"log"`
	DB              DB            `koanf:"db"`
	Cache           Cache         `koanf:"cache"`
	Lock            Lock          `koanf:"lock"`
	Bus             Bus           `koanf:"bus"`
	Blob            Blob          `koanf:"blob"`
	Crypto          Crypto        `koanf:"crypto"`
	Logsvr          Logsvr        `koanf:"logsvr"`
	GSE             GSE           `koanf:"gse"`
	Auth            Auth          `koanf:"auth"`
	API             API           `koanf:"api"`
	Execute         Execute       `koanf:"execute"`
}

// HTTP is the server every process runs: address, limits, timeouts, the
// proxies whose forwarding headers are believed, and TLS.
type HTTP struct {
	Addr              string        `koanf:"addr"`
	PublicURL         string        `koanf:"public_url"`
	MaxBodyBytes      int64         `koanf:"max_body_bytes"`
	MaxJobBodyBytes   int64         `koanf:"max_job_body_bytes"`
	ReadHeaderTimeout time.Duration `koanf:"read_header_timeout"`
	ReadTimeout       time.Duration `koanf:"read_timeout"`
	WriteTimeout      time.Duration `koanf:"write_timeout"`
	IdleTimeout       time.Duration `koanf:"idle_timeout"`
	TrustedProxies    []string      `koanf:"trusted_proxies"`
	TLSCertFile       string        `koanf:"tls_cert_file"`
	TLSKeyFile        string        `koanf:"tls_key_file"`
}

// Log is the process log: level (debug, info, warn, error) and format (text, json).
type Log struct {
	Level  string `koanf:"level"`
	Format string `koanf:"format"`
}

// DB is the relational store: sqlite (a file under data_dir by default) or mysql.
type DB struct {
	Driver       string `koanf:"driver"`
	DSN          string `koanf:"dsn" secret:"true"`
	MaxOpenConns int    `koanf:"max_open_conns"`
}

// Cache is the shared cache (login and secret-check rate limits): in
// memory, or Redis when several gateways must share it. Sessions live in
// the database.
type Cache struct {
	Backend    string `koanf:"backend"`
	RedisURL   string `koanf:"redis_url" secret:"true"`
	MaxEntries int    `koanf:"max_entries"`
}

// Lock is the distributed lock backend: in memory for one process, Redis
// across processes.
type Lock struct {
	Backend  string `koanf:"backend"`
	RedisURL string `koanf:"redis_url" secret:"true"`
}

// Bus carries calls and events between roles: in memory in one process,
// RabbitMQ between processes (force_remote sends co-located calls over it too).
type Bus struct {
	Backend        string        `koanf:"backend"`
	AMQPURL        string        `koanf:"amqp_url" secret:"true"`
	ForceRemote    bool          `koanf:"force_remote"`
	CallTimeout    time.Duration `koanf:"call_timeout"`
	Prefetch       int           `koanf:"prefetch"`
	ExchangePrefix string        `koanf:"exchange_prefix"`
}

// Blob is where uploaded and distributed files are stored: a directory,
// shared (NFS) in split deployments.
type Blob struct {
	Dir string `koanf:"dir"`
}

// Crypto holds the key that seals secrets at rest (base64 of 32 bytes).
type Crypto struct {
	Key string `koanf:"key" secret:"true"`
}

// Logsvr stores execution logs: embedded files or MongoDB, bounded per
// host and kept retention_days.
type Logsvr struct {
	Backend       string `koanf:"backend"`
	MongoURI      string `koanf:"mongo_uri" secret:"true"`
	MongoDatabase string `koanf:"mongo_database"`
	MaxHostBytes  int64  `koanf:"max_host_bytes"`
	RetentionDays int    `koanf:"retention_days"`
}

// GSE is the agent channel: the built-in hub or BlueKing GSE 2.0, its
// limits and timings, and the agentless SSH transport.
type GSE struct {
	Transport          string        `koanf:"transport"`
	AgentTokens        []string      `koanf:"agent_tokens" secret:"true"`
	BootstrapToken     string        `koanf:"bootstrap_token" secret:"true"`
	HeartbeatInterval  time.Duration `koanf:"heartbeat_interval"`
	OfflineAfterMissed int           `koanf:"offline_after_missed"`
	MaxTasksPerAgent   int           `koanf:"max_tasks_per_agent"`
	MaxOutputBytes     int64         `koanf:"max_output_bytes"`
	// LostCheckInterval is how often the engine asks the transport whether
	// it still holds each running task (a restarted gse role holds none).
	LostCheckInterval time.Duration `koanf:"lost_check_interval"`
	SinkMaxAttempts   int           `koanf:"sink_max_attempts"`
	LocalAgent        LocalAgent    `koanf:"local_agent"`
	GSE2              GSE2          `koanf:"gse2"`
	SSH               SSH           `koanf:"ssh"`
}

// SSH tunes the agentless SSH transport (gse/ssh).
type SSH struct {
	MaxConcurrent      int           `koanf:"max_concurrent"`
	MaxSessionsPerConn int           `koanf:"max_sessions_per_conn"`
	DialTimeout        time.Duration `koanf:"dial_timeout"`
	IdleTimeout        time.Duration `koanf:"idle_timeout"`
	KillGrace          time.Duration `koanf:"kill_grace"`
	TrustOnFirstUse    bool          `koanf:"trust_on_first_use"`
	KnownHostsFile     string        `koanf:"known_hosts_file"`
}

// LocalAgent is the agent `serve` spawns for its own host when every role
// runs in one process.
type LocalAgent struct {
	Enabled bool   `koanf:"enabled"`
	IP      string `koanf:"ip"`
}

// GSE2 reaches a BlueKing GSE 2.0 server when gse.transport is gse2.
type GSE2 struct {
	URL       string `koanf:"url"`
	AppCode   string `koanf:"app_code"`
	AppSecret string `koanf:"app_secret" secret:"true"`
	BlobAgent string `koanf:"blob_agent"`
}

// Auth governs logins and API app secrets: the bootstrap admin, session
// lifetime and the brute-force limits.
type Auth struct {
	BootstrapAdminPassword string        `koanf:"bootstrap_admin_password" secret:"true"`
	SessionTTL             time.Duration `koanf:"session_ttl"`
	// MaxFailures wrong passwords or secrets for one user or app within
	// FailureWindow lock it for Lockout; IPMaxFailures do the same for one
	// source address. Counted in the cache (shared through Redis).
	MaxFailures   int           `koanf:"max_failures"`
	IPMaxFailures int           `koanf:"ip_max_failures"`
	FailureWindow time.Duration `koanf:"failure_window"`
	Lockout       time.Duration `koanf:"lockout"`
	// MaxChecksPerMinute bounds the password / secret checks (bcrypt) one
	// source address, and one user or app, may cause per minute.
	MaxChecksPerMinute int `koanf:"max_checks_per_minute"`
	// SecretCacheTTL is how long a verified app secret is trusted without
	// bcrypt (in each gateway's memory); 0 checks every request.
	SecretCacheTTL time.Duration `koanf:"secret_cache_ttl"`
}

// API configures the v3 API: the bootstrap app, job callbacks and the
// BlueKing API gateway's JWT.
type API struct {
	BootstrapAppCode   string `koanf:"bootstrap_app_code"`
	BootstrapAppSecret string `koanf:"bootstrap_app_secret" secret:"true"`
	// CallbackAllowlist are origins (scheme://host[:port]) a callback_url
	// must match exactly; empty allows any public host.
	CallbackAllowlist []string `koanf:"callback_allowlist"`
	// CallbackAllowPrivate lets callbacks reach loopback, private,
	// link-local and CGNAT addresses (metadata addresses stay refused).
	CallbackAllowPrivate bool          `koanf:"callback_allow_private"`
	CallbackTimeout      time.Duration `koanf:"callback_timeout"`     // one POST
	CallbackRetryFor     time.Duration `koanf:"callback_retry_for"`   // retries stop this long after the job ended
	CallbackBackoff      time.Duration `koanf:"callback_backoff"`     // first retry delay, doubled each time
	CallbackBackoffMax   time.Duration `koanf:"callback_backoff_max"` // longest retry delay
	// GatewayJWTPublicKeyFile is the PEM RSA public key of BlueKing's API
	// gateway (its get_apigw_public_key). Set, requests on bk-job's backend
	// paths /api/job/v3/job-<svc>/<name> must carry an X-Bkapi-JWT it
	// signed; empty, those paths take X-Bkapi-Authorization as /api/v3 does.
	GatewayJWTPublicKeyFile string `koanf:"gateway_jwt_public_key_file"`
	// GatewayJWTIssuer is the iss claim such a JWT must carry ("APIGW" is
	// what BlueKing's gateway writes); empty accepts any issuer.
	GatewayJWTIssuer string `koanf:"gateway_jwt_issuer"`
}
