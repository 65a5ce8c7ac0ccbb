CREATE TABLE user (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE TABLE user_session (
  token_hash TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  expires_at DATETIME NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX idx_user_session_expires ON user_session (expires_at);
CREATE TABLE api_app (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  app_code TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  all_scopes INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
