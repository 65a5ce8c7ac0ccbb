-- gse/manage: enrolment tokens kept in the database, per business (a bkjob
-- extension; gse.agent_tokens in the configuration still work as before).
-- A token admits an agent's first connection to its business; the agent then
-- holds its own credential (agent_credential), so rotating or deleting a
-- token never touches enrolled agents. Only the SHA-256 (hex) of the secret
-- is stored. After a rotation previous_sha256 keeps admitting until
-- previous_until (the grace period the operator chose; NULL: none).
-- expires_at NULL never expires; last_used_at is the last enrolment with it.
CREATE TABLE IF NOT EXISTS agent_token (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  biz_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  secret_sha256 TEXT NOT NULL,
  previous_sha256 TEXT NOT NULL DEFAULT '',
  previous_until DATETIME NULL,
  expires_at DATETIME NULL,
  last_used_at DATETIME NULL,
  creator TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  last_modify_user TEXT NOT NULL DEFAULT '',
  updated_at DATETIME NOT NULL,
  rotated_at DATETIME NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_agent_token_secret ON agent_token (secret_sha256);
CREATE INDEX IF NOT EXISTS idx_agent_token_previous ON agent_token (previous_sha256);
CREATE INDEX IF NOT EXISTS idx_agent_token_biz ON agent_token (biz_id);
