CREATE TABLE application (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  scope_type VARCHAR(32) NOT NULL,
  scope_id VARCHAR(64) NOT NULL,
  name VARCHAR(256) NOT NULL,
  timezone VARCHAR(64) NOT NULL DEFAULT 'Asia/Shanghai',
  language VARCHAR(16) NOT NULL DEFAULT 'zh_CN',
  is_deleted TINYINT NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uk_scope (scope_type, scope_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE account (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  biz_id BIGINT NOT NULL,
  account VARCHAR(256) NOT NULL,
  alias VARCHAR(256) NOT NULL,
  category INT NOT NULL,
  type INT NOT NULL,
  os VARCHAR(32) NOT NULL DEFAULT 'Linux',
  password TEXT NOT NULL,
  db_password TEXT NOT NULL,
  db_port INT NOT NULL DEFAULT 0,
  db_system_account_id BIGINT NOT NULL DEFAULT 0,
  remark VARCHAR(1024) NOT NULL DEFAULT '',
  creator VARCHAR(128) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uk_biz_alias (biz_id, alias)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
