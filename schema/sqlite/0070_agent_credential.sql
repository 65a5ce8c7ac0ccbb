-- gse: per-agent credentials. A business token only admits an agent's first
-- connection; the hub then issues the agent its own secret, stored here only
-- as its SHA-256 (hex), bound to the agent id, its business and its host row.
-- confirmed_at is set once the agent has stored the secret (until then a
-- token may enrol the agent id again while it is offline); revoked_at refuses
-- the agent for good.
CREATE TABLE IF NOT EXISTS agent_credential (
  agent_id TEXT NOT NULL PRIMARY KEY,
  biz_id INTEGER NOT NULL,
  host_id INTEGER NOT NULL,
  secret_sha256 TEXT NOT NULL DEFAULT '',
  enrolled_at DATETIME NOT NULL,
  confirmed_at DATETIME NULL,
  revoked_at DATETIME NULL,
  revoked_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS idx_agent_credential_host ON agent_credential (host_id);
CREATE INDEX IF NOT EXISTS idx_agent_credential_revoked ON agent_credential (revoked_at);
