CREATE TABLE application (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scope_type TEXT NOT NULL,
  scope_id TEXT NOT NULL,
  name TEXT NOT NULL,
  timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
  language TEXT NOT NULL DEFAULT 'zh_CN',
  is_deleted INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  UNIQUE (scope_type, scope_id)
);
CREATE TABLE account (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  biz_id INTEGER NOT NULL,
  account TEXT NOT NULL,
  alias TEXT NOT NULL,
  category INTEGER NOT NULL,
  type INTEGER NOT NULL,
  os TEXT NOT NULL DEFAULT 'Linux',
  password TEXT NOT NULL DEFAULT '',
  db_password TEXT NOT NULL DEFAULT '',
  db_port INTEGER NOT NULL DEFAULT 0,
  db_system_account_id INTEGER NOT NULL DEFAULT 0,
  remark TEXT NOT NULL DEFAULT '',
  creator TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  UNIQUE (biz_id, alias)
);
