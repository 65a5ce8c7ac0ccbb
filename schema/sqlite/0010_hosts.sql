-- gse: hosts reached by the built-in agent. id is bkjob's numeric host id;
-- a host is (cloud_id, ip); agent_id is the agent's stable id (NULL for a
-- host without an agent).
CREATE TABLE IF NOT EXISTS host (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  biz_id INTEGER NOT NULL DEFAULT 1,
  cloud_id INTEGER NOT NULL DEFAULT 0,
  ip TEXT NOT NULL,
  ipv6 TEXT NOT NULL DEFAULT '',
  agent_id TEXT NULL,
  hostname TEXT NOT NULL DEFAULT '',
  os TEXT NOT NULL DEFAULT '',
  os_type TEXT NOT NULL DEFAULT '',
  arch TEXT NOT NULL DEFAULT '',
  agent_version TEXT NOT NULL DEFAULT '',
  alive INTEGER NOT NULL DEFAULT 0,
  last_seen DATETIME NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  UNIQUE (cloud_id, ip),
  UNIQUE (agent_id)
);
CREATE INDEX IF NOT EXISTS idx_host_biz ON host (biz_id);
