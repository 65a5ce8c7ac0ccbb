-- gse: per-agent credentials. A business token only admits an agent's first
-- connection; the hub then issues the agent its own secret, stored here only
-- as its SHA-256 (hex), bound to the agent id, its business and its host row.
-- confirmed_at is set once the agent has stored the secret (until then a
-- token may enrol the agent id again while it is offline); revoked_at refuses
-- the agent for good.
CREATE TABLE IF NOT EXISTS agent_credential (
  agent_id VARCHAR(64) NOT NULL,
  biz_id BIGINT NOT NULL,
  host_id BIGINT NOT NULL,
  secret_sha256 CHAR(64) NOT NULL DEFAULT '',
  enrolled_at DATETIME(3) NOT NULL,
  confirmed_at DATETIME(3) NULL,
  revoked_at DATETIME(3) NULL,
  revoked_by VARCHAR(128) NOT NULL DEFAULT '',
  PRIMARY KEY (agent_id),
  KEY idx_agent_credential_host (host_id),
  KEY idx_agent_credential_revoked (revoked_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
