-- manage: bk-job's dangerous (high-risk) rules and the record of every run
-- they matched. Rules are the platform's (no business). script_languages
-- is a comma-separated list of languages, e.g. ",1,4," (commas at both
-- ends so a LIKE '%,1,%' finds one); priority orders the rules (smaller
-- first). action 1 scan / 2 intercept; status 0 disabled / 1 enabled.
CREATE TABLE IF NOT EXISTS dangerous_rule (
  id BIGINT NOT NULL AUTO_INCREMENT,
  expression VARCHAR(1024) NOT NULL,
  script_languages VARCHAR(64) NOT NULL,
  description VARCHAR(2048) NOT NULL DEFAULT '',
  action INT NOT NULL,
  status INT NOT NULL DEFAULT 0,
  priority INT NOT NULL,
  creator VARCHAR(128) NOT NULL DEFAULT '',
  last_modify_user VARCHAR(128) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY idx_dangerous_rule_priority (priority)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
-- dangerous_record: one row per rule that matched a script about to run.
-- content is an excerpt of the script (its first 4096 characters);
-- check_result the JSON of the rule's hits (line, line_content, …).
CREATE TABLE IF NOT EXISTS dangerous_record (
  id BIGINT NOT NULL AUTO_INCREMENT,
  rule_id BIGINT NOT NULL,
  rule_expression VARCHAR(1024) NOT NULL,
  description VARCHAR(2048) NOT NULL DEFAULT '',
  biz_id BIGINT NOT NULL,
  operator VARCHAR(128) NOT NULL DEFAULT '',
  app_code VARCHAR(128) NOT NULL DEFAULT '',
  startup_mode INT NOT NULL DEFAULT 0,
  script_language INT NOT NULL,
  content TEXT NOT NULL,
  action INT NOT NULL,
  check_result MEDIUMTEXT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY idx_dangerous_record_created (created_at),
  KEY idx_dangerous_record_biz (biz_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
