-- manage: credentials (bk-job's ticket). type: 1 APP_ID_SECRET_KEY,
-- 2 PASSWORD, 3 USERNAME_PASSWORD, 4 SECRET_KEY. value is the JSON of the
-- secrets sealed with platform/crypto; it is never stored in clear.
CREATE TABLE IF NOT EXISTS credential (
  id BIGINT NOT NULL AUTO_INCREMENT,
  biz_id BIGINT NOT NULL,
  name VARCHAR(255) NOT NULL,
  type INT NOT NULL,
  description VARCHAR(1024) NOT NULL DEFAULT '',
  value TEXT NOT NULL,
  creator VARCHAR(128) NOT NULL DEFAULT '',
  last_modify_user VARCHAR(128) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY idx_credential_biz (biz_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
