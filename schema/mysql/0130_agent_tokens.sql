-- gse/manage: enrolment tokens kept in the database, per business (a bkjob
-- extension; gse.agent_tokens in the configuration still work as before).
-- A token admits an agent's first connection to its business; the agent then
-- holds its own credential (agent_credential), so rotating or deleting a
-- token never touches enrolled agents. Only the SHA-256 (hex) of the secret
-- is stored. After a rotation previous_sha256 keeps admitting until
-- previous_until (the grace period the operator chose; NULL: none).
-- expires_at NULL never expires; last_used_at is the last enrolment with it.
CREATE TABLE IF NOT EXISTS agent_token (
  id BIGINT NOT NULL AUTO_INCREMENT,
  biz_id BIGINT NOT NULL,
  name VARCHAR(255) NOT NULL,
  description VARCHAR(1024) NOT NULL DEFAULT '',
  secret_sha256 CHAR(64) NOT NULL,
  previous_sha256 CHAR(64) NOT NULL DEFAULT '',
  previous_until DATETIME(3) NULL,
  expires_at DATETIME(3) NULL,
  last_used_at DATETIME(3) NULL,
  creator VARCHAR(128) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  last_modify_user VARCHAR(128) NOT NULL DEFAULT '',
  updated_at DATETIME(3) NOT NULL,
  rotated_at DATETIME(3) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY idx_agent_token_secret (secret_sha256),
  KEY idx_agent_token_previous (previous_sha256),
  KEY idx_agent_token_biz (biz_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
