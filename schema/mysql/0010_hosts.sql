-- gse: hosts reached by the built-in agent. id is bkjob's numeric host id;
-- a host is (cloud_id, ip); agent_id is the agent's stable id (NULL for a
-- host without an agent).
CREATE TABLE IF NOT EXISTS host (
  id BIGINT NOT NULL AUTO_INCREMENT,
  biz_id BIGINT NOT NULL DEFAULT 1,
  cloud_id BIGINT NOT NULL DEFAULT 0,
  ip VARCHAR(64) NOT NULL,
  ipv6 VARCHAR(1024) NOT NULL DEFAULT '',
  agent_id VARCHAR(64) NULL,
  hostname VARCHAR(255) NOT NULL DEFAULT '',
  os VARCHAR(32) NOT NULL DEFAULT '',
  os_type VARCHAR(16) NOT NULL DEFAULT '',
  arch VARCHAR(32) NOT NULL DEFAULT '',
  agent_version VARCHAR(64) NOT NULL DEFAULT '',
  alive TINYINT(1) NOT NULL DEFAULT 0,
  last_seen DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_host_cloud_ip (cloud_id, ip),
  UNIQUE KEY uk_host_agent_id (agent_id),
  KEY idx_host_biz (biz_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
