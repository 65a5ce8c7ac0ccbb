-- manage: credentials (bk-job's ticket). type: 1 APP_ID_SECRET_KEY,
-- 2 PASSWORD, 3 USERNAME_PASSWORD, 4 SECRET_KEY. value is the JSON of the
-- secrets sealed with platform/crypto; it is never stored in clear.
CREATE TABLE IF NOT EXISTS credential (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  biz_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  type INTEGER NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  value TEXT NOT NULL,
  creator TEXT NOT NULL DEFAULT '',
  last_modify_user TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_credential_biz ON credential (biz_id);
